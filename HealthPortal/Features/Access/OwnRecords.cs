using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Access;

/// <summary>Resource for <see cref="AccessPolicies.OwnRecords"/>: the patient (by MPI number) an operation concerns.</summary>
public sealed record PatientScope(string Mpi);

public static class AccessPolicies
{
    /// <summary>A patient acting on their own MPI number; needs a <see cref="PatientScope"/> resource.</summary>
    public const string OwnRecords = "OwnPatientRecords";
}

public sealed class OwnRecordsRequirement : IAuthorizationRequirement;

/// <summary>Succeeds when the caller is the patient whose profile carries the scope's MPI number (read from the database, not claims).</summary>
public sealed class OwnRecordsHandler(IDbContextFactory<ApplicationDbContext> dbFactory) : AuthorizationHandler<OwnRecordsRequirement, PatientScope>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnRecordsRequirement requirement, PatientScope resource)
    {
        if (!context.User.IsInRole(Roles.Patient)) return;
        if (context.User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return;
        await using var db = await dbFactory.CreateDbContextAsync();
        var mpi = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
        if (mpi is not null && mpi == resource.Mpi) context.Succeed(requirement);
    }
}
