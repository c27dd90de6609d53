using System.Globalization;
using HealthPortal.Features.Words;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Ledger;

/// <summary>
/// How the portal names the ledger's reason codes (<see cref="BreakGlassReasons"/>, <see cref="NodeDecisionReasons"/>),
/// in the reader's language (LedgerCodeLabels.resx / .my.resx beside this file). Exported data (a FHIR AuditEvent) asks
/// for the invariant culture and gets the English label. An unknown code (from a newer node) is shown as it is.
/// </summary>
public static class LedgerCodeLabels
{
    private static readonly ResourceWords Texts = new(typeof(LedgerCodeLabels));

    /// <summary>A break-glass reason code in the reader's language.</summary>
    public static string BreakGlass(string code) => BreakGlass(code, CultureInfo.CurrentUICulture);

    /// <summary>A break-glass reason code in <paramref name="culture"/> (the invariant culture for exported data: English).</summary>
    public static string BreakGlass(string code, CultureInfo culture) => code switch
    {
        BreakGlassReasons.Unconscious => Texts.Text("BreakGlassUnconscious", culture),
        BreakGlassReasons.EmergencySurgery => Texts.Text("BreakGlassEmergencySurgery", culture),
        BreakGlassReasons.LifeThreatening => Texts.Text("BreakGlassLifeThreatening", culture),
        BreakGlassReasons.UnableToConsent => Texts.Text("BreakGlassUnableToConsent", culture),
        BreakGlassReasons.Other => Texts.Text("BreakGlassOther", culture),
        _ => code,
    };

    /// <summary>A node decision's reason code in the reader's language.</summary>
    public static string NodeDecision(string code) => code switch
    {
        NodeDecisionReasons.NotAccredited => Texts.Text("NodeNotAccredited"),
        NodeDecisionReasons.IncompleteApplication => Texts.Text("NodeIncompleteApplication"),
        NodeDecisionReasons.DuplicateApplication => Texts.Text("NodeDuplicateApplication"),
        NodeDecisionReasons.SuspectedImpersonation => Texts.Text("NodeSuspectedImpersonation"),
        NodeDecisionReasons.LeftNetwork => Texts.Text("NodeLeftNetwork"),
        NodeDecisionReasons.SecurityIncident => Texts.Text("NodeSecurityIncident"),
        NodeDecisionReasons.PolicyBreach => Texts.Text("NodePolicyBreach"),
        NodeDecisionReasons.Other => Texts.Text("NodeOther"),
        _ => code,
    };
}
