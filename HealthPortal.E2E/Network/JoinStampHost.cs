using HealthPortal.E2E.Infrastructure;

namespace HealthPortal.E2E.Network;

/// <summary>
/// The default portal at a facility difficulty a browser needs tens of seconds for (2^24 hashes expected), so a test
/// can watch the stamp's progress and cancel it. The demo seeding stamps its three facilities on the server at this
/// difficulty too, which costs a few seconds at start.
/// </summary>
public sealed class JoinStampHost : PortalHost
{
    public const int FacilityPowBits = 24;

    protected override void ConfigureSettings(IDictionary<string, string?> settings) =>
        settings["Ledger:Genesis:FacilityPowDifficultyBits"] = FacilityPowBits.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
