using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Accounts;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Auth.Sessions;
using HealthPortal.Features.Facilities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Admin;

public enum AccountChange { Done, Forbidden, NotFound, NotYourself }

/// <summary>
/// What consortium admins see and change. Each call checks <see cref="PortalPolicies.AdminPortal"/> for the
/// calling principal itself, so a page that forgot its attribute still could not leak or change anything.
/// </summary>
public sealed class AdminDirectory(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IServiceScopeFactory scopes,
    IAuthorizationService authorization,
    UserSessions sessions,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<HealthFacility>> FacilitiesAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var facilities = await db.Facilities.AsNoTracking().ToListAsync();
        return facilities.OrderBy(f => f.Status).ThenBy(f => f.Name).ToList();
    }

    public async Task<IReadOnlyList<AccountSummary>> AccountsAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.SummariesAsync(users => users, clock.GetUtcNow());
    }

    /// <summary>
    /// Disables (or re-enables) an account. Disabling locks it out indefinitely, ends its server-side sessions (its
    /// cookies stop working at once, its open circuits at the next revalidation, at most a minute away) and changes
    /// its security stamp.
    /// </summary>
    public async Task<AccountChange> SetDisabledAsync(ClaimsPrincipal admin, string userId, bool disabled)
    {
        if (!await IsAdminAsync(admin)) return AccountChange.Forbidden;
        if (admin.FindFirstValue(ClaimTypes.NameIdentifier) == userId) return AccountChange.NotYourself;

        // UserManager is scoped; a scope of its own keeps its DbContext to this one operation.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return AccountChange.NotFound;

        if (disabled)
        {
            Check(await users.SetLockoutEnabledAsync(user, true));
            Check(await users.SetLockoutEndDateAsync(user, AccountQueries.DisabledUntil));
            Check(await users.UpdateSecurityStampAsync(user));
            await sessions.EndAllAsync(user.Id);
        }
        else
        {
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
        }
        return AccountChange.Done;
    }

    private async Task<bool> IsAdminAsync(ClaimsPrincipal admin) =>
        (await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded;

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
