using HealthPortal.Data;
using HealthPortal.Features.Patients;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Accounts;

public static class AccountQueries
{
    /// <summary>A lockout ending this far out is an administrator's disable, not a failed-password lockout.</summary>
    public static bool IsDisabled(DateTimeOffset? lockoutEnd) => lockoutEnd is { } end && end >= DisabledUntil;

    public static readonly DateTimeOffset DisabledUntil = DateTimeOffset.MaxValue;

    public static AccountStatus StatusOf(ApplicationUser user, DateTimeOffset now) =>
        IsDisabled(user.LockoutEnd) ? AccountStatus.Disabled
        : user.LockoutEnd is { } end && end > now ? AccountStatus.LockedOut
        : AccountStatus.Active;

    /// <summary>Summaries of the users the filter selects, with their role and facility, ordered by role then name.</summary>
    public static async Task<IReadOnlyList<AccountSummary>> SummariesAsync(
        this ApplicationDbContext db, Func<IQueryable<ApplicationUser>, IQueryable<ApplicationUser>> filter, DateTimeOffset now)
    {
        var users = await filter(db.Users.AsNoTracking()).ToListAsync();
        var ids = users.Select(u => u.Id).ToList();
        var roles = await (
            from userRole in db.UserRoles.AsNoTracking()
            where ids.Contains(userRole.UserId)
            join role in db.Roles.AsNoTracking() on userRole.RoleId equals role.Id
            select new { userRole.UserId, role.Name }).ToListAsync();
        var facilities = await db.Facilities.AsNoTracking().ToDictionaryAsync(f => f.Id, f => f.Name);

        return users
            .Select(u => new AccountSummary(
                u.Id,
                u.Email ?? "",
                u.DisplayName,
                string.Join(", ", roles.Where(r => r.UserId == u.Id).Select(r => r.Name).Order()),
                u.FacilityId,
                u.FacilityId is null ? null : facilities.GetValueOrDefault(u.FacilityId),
                StatusOf(u, now),
                ChildHolderAccount.IsHolder(u.UserName) && u.PasswordHash is null))
            .OrderBy(a => a.Role).ThenBy(a => a.DisplayName).ThenBy(a => a.Email)
            .ToList();
    }
}
