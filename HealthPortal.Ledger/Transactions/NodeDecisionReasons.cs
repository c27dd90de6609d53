namespace HealthPortal.Ledger.Transactions;

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
