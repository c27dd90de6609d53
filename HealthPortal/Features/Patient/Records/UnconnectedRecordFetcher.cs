using HealthPortal.Features.Records;

namespace HealthPortal.Features.Patient.Records;

/// <summary>
/// The fetcher of a node that has none configured: every store is Unavailable, which the timeline shows honestly
/// ("cannot be checked now") rather than failing. The facility stores register the real fetcher, which replaces it.
/// </summary>
public sealed class UnconnectedRecordFetcher : IRecordFetcher
{
    public Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default) =>
        Task.FromResult(EhrRead.Unavailable("this node has no connection to the facilities' record stores"));
}
