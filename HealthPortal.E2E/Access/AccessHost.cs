using HealthPortal.E2E.Infrastructure;

namespace HealthPortal.E2E.Access;

/// <summary>
/// The default portal with a login limit that fits these journeys: they sign in six accounts (two patients, three
/// facilities' staff, the admin) from one address within a minute, and each login page also asks for passkey options,
/// which the default limit (10 a minute per address) counts as well, so six sign-ins would need 12 permits.
/// </summary>
public sealed class AccessHost : PortalHost
{
    protected override void ConfigureSettings(IDictionary<string, string?> settings) =>
        settings["HealthPortal:RateLimits:Login:PermitLimit"] = "50";
}
