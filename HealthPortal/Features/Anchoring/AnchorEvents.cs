namespace HealthPortal.Features.Anchoring;

/// <summary>A confirmation changed state (prepared, anchored, rejected, or a submit failed).</summary>
public sealed record AnchorChange(string Id, string FacilityId, string Mpi, AnchorStatus Status);

/// <summary>
/// Tells open pages that a confirmation changed in the portal database. Blocks tell them when an anchor lands; this
/// covers what blocks cannot: a rejection, a failed submit, a new save waiting for the patient.
/// </summary>
public sealed class AnchorEvents
{
    /// <summary>Raised on the thread that made the change; handlers must be quick and move onto their circuit.</summary>
    public event Action<AnchorChange>? Changed;

    public void Raise(AnchorChange change) => Changed?.Invoke(change);
}
