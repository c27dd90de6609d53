using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.BreakGlass;

public enum PermissionOutcome { Changed, Unchanged, Forbidden, UnknownStaff }

/// <summary>
/// The emergency (break-glass) permission of staff accounts (<see cref="ApplicationUser.CanBreakGlass"/>). Only a
/// manager of the staff member's own facility may change it; every change goes to the application log. The
/// permission is read from the database at each use (<see cref="MayBreakGlassAsync"/>), never from claims.
/// </summary>
public sealed class EmergencyAccess(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, ILogger<EmergencyAccess> logger)
{
    /// <summary>Ids of the accounts of <paramref name="facilityId"/> that hold the permission; empty unless the caller manages that facility.</summary>
    public async Task<IReadOnlySet<string>> HoldersAsync(ClaimsPrincipal manager, string facilityId)
    {
        if (!await ManagesAsync(manager, facilityId)) return new HashSet<string>();
        await using var db = await dbFactory.CreateDbContextAsync();
        return (await db.Users.AsNoTracking().Where(u => u.FacilityId == facilityId && u.CanBreakGlass).Select(u => u.Id).ToListAsync()).ToHashSet();
    }

    /// <summary>Gives or withdraws the permission of <paramref name="staffUserId"/>, a member of <paramref name="facilityId"/>.</summary>
    public async Task<PermissionOutcome> SetAsync(ClaimsPrincipal manager, string facilityId, string staffUserId, bool allowed)
    {
        if (!await ManagesAsync(manager, facilityId)) return PermissionOutcome.Forbidden;
        await using var db = await dbFactory.CreateDbContextAsync();
        var staff = await db.Users.SingleOrDefaultAsync(u => u.Id == staffUserId && u.FacilityId == facilityId);
        if (staff is null) return PermissionOutcome.UnknownStaff;
        if (staff.CanBreakGlass == allowed) return PermissionOutcome.Unchanged;
        staff.CanBreakGlass = allowed;
        await db.SaveChangesAsync();
        logger.LogWarning("Emergency access (break-glass) {Change} for account {StaffId} of facility {FacilityId} by manager {ManagerId}",
            allowed ? "granted" : "withdrawn", staffUserId, facilityId, manager.FindFirstValue(ClaimTypes.NameIdentifier));
        return PermissionOutcome.Changed;
    }

    /// <summary>Whether the signed-in staff member may use break-glass now: the database's current value, for the read path to check at each use.</summary>
    public async Task<bool> MayBreakGlassAsync(ClaimsPrincipal staff)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded) return false;
        if (staff.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return false;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Users.AsNoTracking().AnyAsync(u => u.Id == userId && u.CanBreakGlass);
    }

    private async Task<bool> ManagesAsync(ClaimsPrincipal manager, string facilityId) =>
        (await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded;
}
