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
    public async Task<VerifiedRecord> VerifyAsync(RecordEntry anchor, CancellationToken ct = default)
    {
        var read = await fetcher.FetchAsync(anchor.Facility, anchor.RecordId, ct);
        if (read.Status == EhrReadStatus.Unavailable) return new(anchor, RecordIntegrity.Unavailable, null, null, read.Problem);
        if (read.Status == EhrReadStatus.NotFound) return new(anchor, RecordIntegrity.Altered, null, null, read.Problem ?? "the facility no longer holds this record");
        var hash = read.Record!.Hash;
        return hash == anchor.Hash && read.Record.Mpi == anchor.Mpi
            ? new(anchor, RecordIntegrity.Verified, read.Record, hash, null)
            : new(anchor, RecordIntegrity.Altered, read.Record, hash, "the record's content no longer matches the hash anchored on the ledger");
    }
}
