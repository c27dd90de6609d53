using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Accounts;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.FacilityPortal;

/// <summary>The signed-in staff member's facility and, for its managers, its staff.</summary>
public sealed class FacilityDirectory(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IAuthorizationService authorization,
    CurrentFacility currentFacility,
    TimeProvider clock)
{
    /// <summary>The caller's facility, or null when the caller may not use the facility portal.</summary>
    public async Task<HealthFacility?> MineAsync(ClaimsPrincipal staff)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded) return null;
        return await currentFacility.OfAsync(staff);
    }

    public async Task<IReadOnlyList<AccountSummary>> StaffAsync(ClaimsPrincipal manager, string facilityId)
    {
        if (!(await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded) return [];

        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.SummariesAsync(users => users.Where(u => u.FacilityId == facilityId), clock.GetUtcNow());
    }
}
