using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Accounts;
using HealthPortal.Features.Auth.Sessions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Auth;

/// <summary>Decides whether a signed-in principal still stands: its server-side session has not been ended (sign-out,
/// "sign out everywhere", password change, admin disable) nor passed its absolute lifetime, the account exists, is not
/// disabled, and its security stamp has not changed since sign-in.</summary>
public sealed class SessionValidator(IServiceScopeFactory scopes, IOptions<IdentityOptions> options, UserSessions sessions)
{
    /// <summary>How often open circuits are re-checked. ASVS 3.3: a disabled account or changed password must
    /// end existing sessions promptly; the template's 30 minutes would leave a disabled user working for half an hour.</summary>
    public static readonly TimeSpan RevalidationInterval = TimeSpan.FromMinutes(1);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        // Every application-cookie principal comes out of the session store tagged with its session; one without
        // a tag was not signed in through it and cannot be ended, so it does not stand.
        if (SessionClaims.SessionIdOf(principal) is not { } sessionId) return false;

        // A fresh scope per check, so a long-lived circuit never reads through a stale DbContext.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        var user = await users.GetUserAsync(principal);
        if (user is null) return false;
        if (!await sessions.IsActiveAsync(sessionId, user.Id)) return false;
        // Only an administrator's disable ends sessions here, not a temporary lockout: otherwise anyone could
        // sign a user out by typing five wrong passwords for their email.
        if (AccountQueries.IsDisabled(await users.GetLockoutEndDateAsync(user))) return false;

        var principalStamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return principalStamp == await users.GetSecurityStampAsync(user);
    }
}
