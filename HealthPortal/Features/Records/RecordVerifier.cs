using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Records;

/// <summary>A ledger anchor together with what its facility serves today and whether the two agree.</summary>
public sealed record VerifiedRecord(RecordEntry Anchor, RecordIntegrity Integrity, EhrRecord? Record, string? Problem)
{
    /// <summary>The hash recomputed from the served FHIR form, when there was one.</summary>
    public string? CurrentHash => Record?.Hash;
}

/// <summary>
/// Fetches an anchored record from its facility and recomputes its hash. The content is shown only when Verified;
/// an Altered record is never presented as trustworthy, and an Unavailable store is never confused with tampering.
/// </summary>
public sealed class RecordVerifier(IRecordFetcher fetcher)
{
    public async Task<VerifiedRecord> VerifyAsync(RecordEntry anchor, CancellationToken ct = default)
    {
        var read = await fetcher.FetchAsync(anchor.Facility, anchor.RecordId, ct);
        return read.Status switch
        {
            EhrReadStatus.Unavailable => new(anchor, RecordIntegrity.Unavailable, null, read.Problem),
            EhrReadStatus.NotFound => new(anchor, RecordIntegrity.Altered, null, read.Problem ?? "the facility no longer holds this record"),
            _ when read.Record!.Hash == anchor.Hash && read.Record.Mpi == anchor.Mpi => new(anchor, RecordIntegrity.Verified, read.Record, null),
            _ => new(anchor, RecordIntegrity.Altered, read.Record, "the record's content no longer matches the hash anchored on the ledger"),
        };
    }

    public async Task<IReadOnlyList<VerifiedRecord>> VerifyAllAsync(IEnumerable<RecordEntry> anchors, CancellationToken ct = default)
    {
        var results = new List<VerifiedRecord>();
        foreach (var anchor in anchors) results.Add(await VerifyAsync(anchor, ct));
        return results;
    }
}
