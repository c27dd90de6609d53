namespace HealthPortal.Features.BreakGlass;

/// <summary>
/// Event ids of the interop audit trail in the application log (categories <c>HealthPortal.Features.Interop.*</c> and
/// <c>HealthPortal.Features.BreakGlass.*</c>); here, beside break-glass's sessions, because the read path depends on them.
/// Denials are logged here, not on the ledger: a refused read disclosed nothing, and the ledger records accesses.
/// </summary>
public static class InteropEvents
{
    public static readonly EventId ReadGranted = new(4100, "InteropReadGranted");
    public static readonly EventId ReadDenied = new(4103, "InteropReadDenied");
    public static readonly EventId LogFailed = new(4150, "InteropAccessLogFailed");
    public static readonly EventId RequestRefused = new(4101, "InteropRequestRefused");
    public static readonly EventId BreakGlassStarted = new(4200, "BreakGlassStarted");
    public static readonly EventId BreakGlassRefused = new(4203, "BreakGlassRefused");
    public static readonly EventId BreakGlassEnded = new(4201, "BreakGlassEnded");
}
