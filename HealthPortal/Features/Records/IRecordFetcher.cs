namespace HealthPortal.Features.Records;

/// <summary>
/// How this node gets a record from the facility that holds it: in-process from the local store on a single node,
/// over the FHIR interop API from a remote node when the network spans machines. Callers never open a facility's
/// store themselves.
/// </summary>
public interface IRecordFetcher
{
    Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default);
}
