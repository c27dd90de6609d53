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

    /// <summary>
    /// Sets the zone the facility's staff read and type times in; managers of this facility only, and only a zone the
    /// portal offers. Stored times are UTC and do not change.
    /// </summary>
    public async Task<bool> SetTimeZoneAsync(ClaimsPrincipal manager, string facilityId, string zoneId)
    {
        if (!Times.PortalTimeZones.IsOffered(zoneId)) return false;
        if (!(await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded) return false;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Facilities.Where(f => f.Id == facilityId).ExecuteUpdateAsync(f => f.SetProperty(x => x.TimeZone, zoneId)) == 1;
    }

    public async Task<IReadOnlyList<AccountSummary>> StaffAsync(ClaimsPrincipal manager, string facilityId)
    {
        if (!(await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded) return [];

        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.SummariesAsync(users => users.Where(u => u.FacilityId == facilityId), clock.GetUtcNow());
    }
}
