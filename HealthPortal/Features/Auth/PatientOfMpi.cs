using System.Security.Claims;
using HealthPortal.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Auth;

/// <summary>Resource for <see cref="PortalPolicies.PatientOfMpi"/>: the patient (by MPI number) an operation concerns.</summary>
public sealed record PatientScope(string Mpi);

public sealed class PatientOfMpiRequirement : IAuthorizationRequirement;

/// <summary>
/// The signed-in patient is the patient of the <see cref="PatientScope"/>: their profile's MPI number, read from the
/// portal database (never from claims or anything the browser sent), is the resource's. Grants, access requests, the
/// access log and its export all ask this one question.
/// </summary>
public sealed class PatientOfMpiHandler(IDbContextFactory<ApplicationDbContext> dbFactory) : AuthorizationHandler<PatientOfMpiRequirement, PatientScope>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PatientOfMpiRequirement requirement, PatientScope resource)
    {
        if (!context.User.IsInRole(Roles.Patient)) return;
        var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || string.IsNullOrEmpty(resource.Mpi)) return;
        await using var db = await dbFactory.CreateDbContextAsync();
        var mine = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
        if (mine is not null && mine == resource.Mpi) context.Succeed(requirement);
    }
}
