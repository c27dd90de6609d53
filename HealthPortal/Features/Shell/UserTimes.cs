using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Times;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Shell;

/// <summary>
/// Whose clock a signed-in person reads: facility staff and managers their facility's zone (a setting on the facility),
/// a patient the zone in their profile, anyone else (admins, visitors) the consortium default, Asia/Yangon.
/// </summary>
public sealed class UserTimes(IDbContextFactory<ApplicationDbContext> dbFactory)
{
    public async Task<UserTime> ForAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return UserTime.Default;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facilityZone = await (
            from account in db.Users.AsNoTracking()
            where account.Id == userId
            join facility in db.Facilities.AsNoTracking() on account.FacilityId equals facility.Id
            select facility.TimeZone).FirstOrDefaultAsync(ct);
        if (facilityZone is not null) return UserTime.For(facilityZone);
        var profileZone = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.TimeZone).FirstOrDefaultAsync(ct);
        return UserTime.For(profileZone);
    }
}
