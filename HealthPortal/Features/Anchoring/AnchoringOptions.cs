using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.Anchoring;

/// <summary><c>HealthPortal:Anchoring</c>: how old a prepared anchor may be before it is re-made for the patient to sign.</summary>
public sealed class AnchoringOptions
{
    public const string Section = "HealthPortal:Anchoring";

    /// <summary>
    /// Seconds a facility-signed anchor counts as fresh. It must stay well inside the ledger's clock-skew window
    /// (<c>Ledger:MaxClockSkewSeconds</c>, 300 by default), or the patient's co-signature would land on a stale body.
    /// </summary>
    [Range(5, 240)]
    public int FreshForSeconds { get; set; } = 60;

    public TimeSpan FreshFor => TimeSpan.FromSeconds(FreshForSeconds);
}
