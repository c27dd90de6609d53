namespace HealthPortal.Features.Grants;

/// <summary>
/// Tells open pages that an access request of a patient changed (made, answered, cancelled). Requests live in the
/// portal database, not on the ledger, so no block announces them. Raised off the circuit: handlers must marshal.
/// </summary>
public sealed class AccessRequestNotifier
{
    public event Action<string>? Changed;

    public void Raise(string mpi) => Changed?.Invoke(mpi);
}
