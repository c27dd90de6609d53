using HealthPortal.E2E.Infrastructure;

namespace HealthPortal.E2E.Access;

/// <summary>
/// The default portal with room for six sign-ins a minute from one address: these journeys sign in two patients,
/// three facilities' staff and the admin from the test machine, and each login page also asks for passkey options,
/// which the login limit (10 a minute) counts too.
/// </summary>
public sealed class AccessHost : PortalHost
{
    protected override void ConfigureSettings(IDictionary<string, string?> settings) =>
        settings["HealthPortal:RateLimits:Login:PermitLimit"] = "50";
}
