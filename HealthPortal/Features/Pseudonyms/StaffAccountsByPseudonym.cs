using HealthPortal.Data;
using HealthPortal.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Pseudonyms;

/// <summary>
/// Resolves an access.log staff pseudonym back to the account, for the admins' break-glass review only: only this
/// portal holds the pseudonym secret, so only it can. The facility on the ledger is the node id; staff are found by the
/// facility whose node key that is, and each one's pseudonym recomputed (a facility has tens of staff, not millions).
/// </summary>
public sealed class StaffAccountsByPseudonym(IDbContextFactory<ApplicationDbContext> dbFactory, StaffPseudonyms pseudonyms) : IStaffPseudonyms
{
    public async Task<string?> AccountOfAsync(string facilityId, string pseudonym, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var match = await AccountAsync(db, facilityId, pseudonym, ct);
        return match is null ? null : (match.DisplayName is { Length: > 0 } name ? name : match.Email);
    }

    /// <summary>The role only (a patient's access history shows it): "Manager" for a facility manager, else "Staff member".</summary>
    public async Task<string?> RoleOfAsync(string facilityId, string pseudonym, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await AccountAsync(db, facilityId, pseudonym, ct) is not { } match) return null;
        var isManager = await (from ur in db.UserRoles
                               join r in db.Roles on ur.RoleId equals r.Id
                               where ur.UserId == match.Id && r.Name == HealthPortal.Features.Auth.Roles.FacilityManager
                               select ur.UserId).AnyAsync(ct);
        return isManager ? "Manager" : "Staff member";
    }

    private async Task<StaffAccount?> AccountAsync(ApplicationDbContext db, string facilityId, string pseudonym, CancellationToken ct)
    {
        var facility = await db.Facilities.Where(f => f.NodeKeyId == facilityId || f.Id == facilityId).Select(f => f.Id).FirstOrDefaultAsync(ct);
        if (facility is null) return null;
        var staff = await db.Users.Where(u => u.FacilityId == facility).Select(u => new StaffAccount(u.Id, u.DisplayName, u.Email)).ToListAsync(ct);
        return staff.FirstOrDefault(u => pseudonyms.Of(u.Id) == pseudonym);
    }

    private sealed record StaffAccount(string Id, string DisplayName, string? Email);
}
