using HealthPortal.Features.Consortium;

namespace HealthPortal.Features.Interop;

/// <summary>
/// Which node answers an interop read of a facility's records: this one when it hosts the facility (its node key is
/// in this portal's vault), else the node the <see cref="NodeDirectory"/> names, reached over its FHIR endpoint with
/// the same signed request (the serving node checks the grant on its own replica and commits <c>access.log</c> there).
/// Only used in a consortium; embedded, every read stays in-process.
/// </summary>
public sealed class InteropRoutes(NodeDirectory directory, NodeApiClient nodes, FacilityNodeKeys keys)
{
    public bool IsConsortium => directory.IsConsortium;

    public async Task<NodeLocation> LocateAsync(string facilityLedgerId, CancellationToken ct = default) =>
        !directory.IsConsortium || await keys.FindAsync(facilityLedgerId, ct) is not null ? NodeLocation.Local : directory.Locate(facilityLedgerId);

    public IInteropTransport Remote(Uri origin) => new HttpInteropTransport(nodes.For(origin));
}
