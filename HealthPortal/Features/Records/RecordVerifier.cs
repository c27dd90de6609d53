using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Records;

/// <summary>A ledger anchor together with what its facility serves today and whether the two agree.</summary>
/// <remarks><see cref="CurrentHash"/> is the hash recomputed from the served FHIR form (when there was one), kept
/// because computing it means serializing, canonicalizing and hashing the whole resource.</remarks>
public sealed record VerifiedRecord(RecordEntry Anchor, RecordIntegrity Integrity, EhrRecord? Record, string? CurrentHash, string? Problem);

/// <summary>
/// Fetches an anchored record from its facility and recomputes its hash. The content is shown only when Verified;
/// an Altered record is never presented as trustworthy, and an Unavailable store is never confused with tampering.
/// </summary>
public sealed class RecordVerifier(IRecordFetcher fetcher)
{
    /// <summary>How many records of one facility are fetched together, and how many such batches run at once.</summary>
    private const int Batch = 50;
    private const int ParallelBatches = 4;

    public async Task<VerifiedRecord> VerifyAsync(RecordEntry anchor, CancellationToken ct = default) =>
        Verdict(anchor, await fetcher.FetchAsync(anchor.Facility, anchor.RecordId, ct));

    /// <summary>
    /// Every anchor verified as <see cref="VerifyAsync"/> verifies it, answered in the order given. The records of each
    /// facility are fetched in batches (<see cref="IRecordFetcher.FetchManyAsync"/>: a local store reads a batch over one
    /// opening of its file), a few batches at a time; every verdict still comes from the store's bytes as read now.
    /// </summary>
    public async Task<IReadOnlyList<VerifiedRecord>> VerifyManyAsync(IReadOnlyList<RecordEntry> anchors, CancellationToken ct = default)
    {
        var verified = new VerifiedRecord[anchors.Count];
        var batches = Enumerable.Range(0, anchors.Count).GroupBy(i => anchors[i].Facility, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(Batch).Select(indexes => (Facility: g.Key, Indexes: indexes))).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = ct }, async (batch, token) =>
        {
            var reads = await fetcher.FetchManyAsync(batch.Facility, [.. batch.Indexes.Select(i => anchors[i].RecordId)], token);
            for (var k = 0; k < batch.Indexes.Length; k++) verified[batch.Indexes[k]] = Verdict(anchors[batch.Indexes[k]], reads[k]);
        });
        return verified;
    }

    private static VerifiedRecord Verdict(RecordEntry anchor, EhrRead read)
    {
        if (read.Status == EhrReadStatus.Unavailable) return new(anchor, RecordIntegrity.Unavailable, null, null, read.Problem);
        if (read.Status == EhrReadStatus.NotFound) return new(anchor, RecordIntegrity.Altered, null, null, read.Problem ?? "the facility no longer holds this record");
        var hash = read.Record!.Hash;
        return hash == anchor.Hash && read.Record.Mpi == anchor.Mpi
            ? new(anchor, RecordIntegrity.Verified, read.Record, hash, null)
            : new(anchor, RecordIntegrity.Altered, read.Record, hash, "the record's content no longer matches the hash anchored on the ledger");
    }
}
