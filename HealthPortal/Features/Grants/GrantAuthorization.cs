using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Grants;

/// <summary>Resource for <see cref="GrantPolicies.PatientOfMpi"/>: the patient (by MPI number) an operation touches.</summary>
public sealed record PatientScope(string Mpi);

public static class GrantPolicies
{
    /// <summary>
    /// The signed-in patient is the patient of the <see cref="PatientScope"/> resource: their profile's MPI number is
    /// the resource's. Only they issue and revoke grants and answer access requests for that MPI.
    /// </summary>
    public const string PatientOfMpi = "PatientOfMpi";
}

public sealed class PatientOfMpiRequirement : IAuthorizationRequirement;

/// <summary>Reads the MPI number from the patient's profile in the portal database, never from anything the browser sent.</summary>
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
