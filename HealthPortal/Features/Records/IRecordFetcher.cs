namespace HealthPortal.Features.Records;

/// <summary>
/// How this node gets a record from the facility that holds it: in-process from the local store on a single node,
/// over the FHIR interop API from a remote node when the network spans machines. Callers never open a facility's
/// store themselves.
/// </summary>
public interface IRecordFetcher
{
    Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default);

    /// <summary>Several records of one facility, in the order asked (by default one <see cref="FetchAsync"/> each).</summary>
    async Task<IReadOnlyList<EhrRead>> FetchManyAsync(string facilityId, IReadOnlyList<string> recordIds, CancellationToken ct = default)
    {
        var reads = new EhrRead[recordIds.Count];
        for (var i = 0; i < reads.Length; i++) reads[i] = await FetchAsync(facilityId, recordIds[i], ct);
        return reads;
    }
}
