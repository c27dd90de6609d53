using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Patient.Records;

/// <summary>The patient a ledger record is about: the resource that <see cref="PatientRecordPolicies.OwnRecord"/> decides on.</summary>
public sealed record PatientRecordResource(string Mpi);

public static class PatientRecordPolicies
{
    /// <summary>A patient, reading a record whose anchor names their own MPI number.</summary>
    public const string OwnRecord = "PatientOwnRecord";
}

public sealed class OwnRecordRequirement : IAuthorizationRequirement;

/// <summary>
/// Decides per record, on the server: the caller is a patient and the anchor's MPI number is the one issued to them
/// (read from the portal database, not from a claim, so a re-issued or not-yet-committed number never matches).
/// </summary>
public sealed class OwnRecordHandler(IDbContextFactory<ApplicationDbContext> dbFactory)
    : AuthorizationHandler<OwnRecordRequirement, PatientRecordResource>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnRecordRequirement requirement, PatientRecordResource resource)
    {
        if (!context.User.IsInRole(Roles.Patient)) return;
        if (context.User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return;

        await using var db = await dbFactory.CreateDbContextAsync();
        var mpi = await db.PatientProfiles.Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
        if (mpi is not null && mpi == resource.Mpi) context.Succeed(requirement);
    }
}
