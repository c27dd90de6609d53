using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Auth;

/// <summary>Decides whether a signed-in principal still stands: the account exists, is not disabled, and its
/// security stamp has not changed since sign-in (a password change or disable changes it).</summary>
public sealed class SessionValidator(IServiceScopeFactory scopes, IOptions<IdentityOptions> options)
{
    /// <summary>How often open circuits are re-checked. ASVS 3.3: a disabled account or changed password must
    /// end existing sessions promptly; the template's 30 minutes would leave a disabled user working for half an hour.</summary>
    public static readonly TimeSpan RevalidationInterval = TimeSpan.FromMinutes(1);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal)
    {
        // A fresh scope per check, so a long-lived circuit never reads through a stale DbContext.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        var user = await users.GetUserAsync(principal);
        if (user is null) return false;
        // Only an administrator's disable ends sessions here, not a temporary lockout: otherwise anyone could
        // sign a user out by typing five wrong passwords for their email.
        if (AccountQueries.IsDisabled(await users.GetLockoutEndDateAsync(user))) return false;

        var principalStamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return principalStamp == await users.GetSecurityStampAsync(user);
    }
}
