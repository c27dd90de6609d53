using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Auth;

public sealed class ApprovedFacilityHandler(IDbContextFactory<ApplicationDbContext> dbFactory)
    : AuthorizationHandler<ApprovedFacilityRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ApprovedFacilityRequirement requirement)
    {
        var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return;

        await using var db = await dbFactory.CreateDbContextAsync();
        var facility = await (
            from user in db.Users
            where user.Id == userId && user.FacilityId != null
            join f in db.Facilities on user.FacilityId equals f.Id
            select new { f.Id, f.Status }).SingleOrDefaultAsync();

        if (facility is null || facility.Status != FacilityStatus.Approved) return;
        if (context.Resource is FacilityScope scope && scope.FacilityId != facility.Id) return;

        context.Succeed(requirement);
    }
}
