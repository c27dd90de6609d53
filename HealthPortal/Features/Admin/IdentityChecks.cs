using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Admin;

/// <summary>One account of a flagged pair as the steward sees it: who, and the national ID masked.</summary>
public sealed record IdentityCheckAccount(string UserId, string Email, string FullName, string MaskedNationalId, string? Mpi);

public sealed record IdentityCheckView(string Id, string Reason, DateTimeOffset CreatedAt, IdentityCheckAccount Saved, IdentityCheckAccount Existing);

/// <summary>The MPI steward's list of account pairs to check (admins only).</summary>
public sealed class IdentityChecks(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization)
{
    public async Task<IReadOnlyList<IdentityCheckView>?> ListAsync(ClaimsPrincipal admin)
    {
        if (!(await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        var checks = await db.IdentityChecks.AsNoTracking().ToListAsync();
        var ids = checks.SelectMany(c => new[] { c.UserId, c.OtherUserId }).Distinct().ToList();
        var accounts = await (from user in db.Users
                              where ids.Contains(user.Id)
                              join profile in db.PatientProfiles on user.Id equals profile.UserId into profiles
                              from profile in profiles.DefaultIfEmpty()
                              select new { user.Id, user.Email, profile })
            .ToDictionaryAsync(a => a.Id);

        IdentityCheckAccount Account(string id) => accounts.TryGetValue(id, out var a)
            ? new(id, a.Email ?? "", a.profile?.FullName ?? "", Mask(a.profile?.NationalId), a.profile?.MpiNumber)
            : new(id, "", "", "", null);

        return checks.OrderByDescending(c => c.CreatedAt)
            .Select(c => new IdentityCheckView(c.Id, c.Reason, c.CreatedAt, Account(c.UserId), Account(c.OtherUserId)))
            .ToList();
    }

    /// <summary>Only the last three characters: enough to tell two IDs apart at a glance, not enough to use one.</summary>
    public static string Mask(string? nationalId) =>
        string.IsNullOrEmpty(nationalId) ? "" : nationalId.Length <= 3 ? new string('•', nationalId.Length) : new string('•', nationalId.Length - 3) + nationalId[^3..];
}
