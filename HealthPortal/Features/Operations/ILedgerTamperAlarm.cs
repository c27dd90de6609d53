namespace HealthPortal.Features.Operations;

/// <summary>
/// The readiness check's hook for tamper detection: register an implementation (for example a periodic or per-block
/// verifier that found the store changed under the node) and <c>/health/ready</c> answers 503 while
/// <see cref="Alarm"/> is set. None is registered by Operations itself.
/// </summary>
public interface ILedgerTamperAlarm
{
    /// <summary>Null while all is well; otherwise what was found (shown to administrators in the health detail).</summary>
    string? Alarm { get; }
}
