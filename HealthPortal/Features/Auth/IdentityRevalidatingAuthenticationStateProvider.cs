using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace HealthPortal.Features.Auth;

/// <summary>
/// Re-checks every minute, for each open circuit, that the signed-in account is still the one that signed in
/// (same security stamp) and is not disabled. When the check fails the circuit's user becomes anonymous and
/// <c>AuthorizeRouteView</c> sends the browser to the login page, which ends the circuit.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, SessionValidator sessions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => SessionValidator.RevalidationInterval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        sessions.IsCurrentAsync(authenticationState.User);
}
