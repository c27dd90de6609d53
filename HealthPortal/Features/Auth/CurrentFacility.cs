using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Auth;

/// <summary>Looks up the facility a signed-in staff member belongs to.</summary>
public sealed class CurrentFacility(IDbContextFactory<ApplicationDbContext> dbFactory)
{
    public async Task<HealthFacility?> OfAsync(ClaimsPrincipal principal)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return null;

        await using var db = await dbFactory.CreateDbContextAsync();
        return await (
            from user in db.Users.AsNoTracking()
            where user.Id == userId
            join facility in db.Facilities.AsNoTracking() on user.FacilityId equals facility.Id
            select facility).SingleOrDefaultAsync();
    }
}
