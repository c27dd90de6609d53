namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// One of the closed vocabularies of the ledger's code members. The ledger never carries text a person typed (it cannot forget
/// it, and every node keeps a copy); where a person explains something, the body carries one of these codes and, for
/// the explanation itself, only a hash whose text stays in the writing node's own database (<c>docs/ledger-fields.md</c>).
/// This set: why a staff member opened a patient's records without a grant (access.log <c>breakGlass</c>).
/// A code outside its set is refused, so a name or a date cannot be slipped in as a "code" either. Adding a code is a
/// rule change every node must take.
/// </summary>
public static class BreakGlassReasons
{
    public const string Unconscious = "unconscious";
    public const string EmergencySurgery = "emergency-surgery";
    public const string LifeThreatening = "life-threatening";
    public const string UnableToConsent = "unable-to-consent";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Unconscious, EmergencySurgery, LifeThreatening, UnableToConsent, Other];

    public static bool IsValid(string? code) => code is Unconscious or EmergencySurgery or LifeThreatening or UnableToConsent or Other;
}
