using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Ledger;

/// <summary>
/// How the portal names the ledger's reason codes (<see cref="BreakGlassReasons"/>, <see cref="NodeDecisionReasons"/>).
/// An unknown code (from a newer node) is shown as it is.
/// </summary>
public static class LedgerCodeLabels
{
    public static string BreakGlass(string code) => code switch
    {
        BreakGlassReasons.Unconscious => "Patient unconscious",
        BreakGlassReasons.EmergencySurgery => "Emergency surgery",
        BreakGlassReasons.LifeThreatening => "Life-threatening condition",
        BreakGlassReasons.UnableToConsent => "Patient unable to consent",
        BreakGlassReasons.Other => "Other emergency",
        _ => code,
    };

    public static string NodeDecision(string code) => code switch
    {
        NodeDecisionReasons.NotAccredited => "Not accredited",
        NodeDecisionReasons.IncompleteApplication => "Incomplete application",
        NodeDecisionReasons.DuplicateApplication => "Duplicate application",
        NodeDecisionReasons.SuspectedImpersonation => "Suspected impersonation of another facility",
        NodeDecisionReasons.LeftNetwork => "Left the network",
        NodeDecisionReasons.SecurityIncident => "Security incident",
        NodeDecisionReasons.PolicyBreach => "Breach of the consortium's policy",
        NodeDecisionReasons.Other => "Other",
        _ => code,
    };
}
