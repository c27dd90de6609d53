using HealthPortal.E2E.Infrastructure;

namespace HealthPortal.E2E.Network;

/// <summary>
/// The default portal at a facility difficulty a browser needs tens of seconds for (2^24 hashes expected), so a test
/// can watch the stamp's progress and cancel it. Without demo data: the seeder would stamp the applicant facilities on
/// the server at this difficulty too, and on a loaded machine that took longer than the ledger's 5-minute clock window,
/// so the seeding's own transactions were refused as stale.
/// </summary>
public sealed class JoinStampHost : PortalHost
{
    public const int FacilityPowBits = 24;

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Ledger:Genesis:FacilityPowDifficultyBits"] = FacilityPowBits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["HealthPortal:Demo:Seed"] = "false";
    }
}
