namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// The closed vocabularies of the ledger's code members. The ledger never carries text a person typed (it cannot forget
/// it, and every node keeps a copy); where a person explains something, the body carries one of these codes and, for
/// the explanation itself, only a hash whose text stays in the writing node's own database (<c>docs/ledger-fields.md</c>).
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

/// <summary>Why a consortium admin rejects an application (node.reject) or revokes a member (node.revoke).</summary>
public static class NodeDecisionReasons
{
    public const string NotAccredited = "not-accredited";
    public const string IncompleteApplication = "incomplete-application";
    public const string DuplicateApplication = "duplicate-application";
    public const string SuspectedImpersonation = "suspected-impersonation";
    public const string LeftNetwork = "left-network";
    public const string SecurityIncident = "security-incident";
    public const string PolicyBreach = "policy-breach";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All =
        [NotAccredited, IncompleteApplication, DuplicateApplication, SuspectedImpersonation, LeftNetwork, SecurityIncident, PolicyBreach, Other];

    public static bool IsValid(string? code) => code is not null && All.Contains(code);
}

/// <summary>
/// Purposes of use, for grant.issue (what the patient allows) and access.log (what a read was for). "emergency" is
/// what a break-glass read is for; "other" means the patient explained it in words that stay off the ledger.
/// </summary>
public static class Purposes
{
    public const string Treatment = "treatment";
    public const string Referral = "referral";
    public const string SecondOpinion = "second-opinion";
    public const string Insurance = "insurance";
    public const string Emergency = "emergency";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Treatment, Referral, SecondOpinion, Insurance, Emergency, Other];

    public static bool IsValid(string? code) => code is not null && All.Contains(code);
}
