using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;

namespace HealthPortal.Features.Access;

/// <summary>A desk lookup of the patient, as the patient sees it: when, where, which (pseudonymous) staff member, and whether it found them.</summary>
public sealed record DeskLookupView(DateTimeOffset At, string FacilityId, string FacilityName, string Staff, bool Found);

/// <summary>
/// Reads the facility audit trail in this node's database (<see cref="FacilityAuditEntry"/>, written by
/// <see cref="FacilityAuditTrail"/> for desk lookups and the portal's own interop reads): the patient reads their desk
/// lookups, a facility's managers read their facility's trail. Each method authorizes the caller for what it reads.
/// </summary>
public sealed class FacilityAuditLog(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization)
{
    /// <summary>Who looked <paramref name="mpi"/> up at a facility desk, newest first; empty unless the caller is that patient.</summary>
    public async Task<IReadOnlyList<DeskLookupView>> DeskLookupsOfAsync(ClaimsPrincipal patient, string mpi, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(patient, new PatientScope(mpi), PortalPolicies.PatientOfMpi)).Succeeded) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (
            from entry in db.FacilityAudit.AsNoTracking()
            where entry.Mpi == mpi && entry.Kind == FacilityAuditKind.DeskLookup
            join facility in db.Facilities.AsNoTracking() on entry.FacilityId equals facility.Id into named
            from facility in named.DefaultIfEmpty()
            orderby entry.AtMs descending, entry.Id descending
            select new { entry.AtMs, entry.FacilityId, Name = facility == null ? null : facility.Name, entry.StaffPseudonym, entry.Outcome }).ToListAsync(ct);
        return rows.Select(r => new DeskLookupView(DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.FacilityId, r.Name ?? r.FacilityId, r.StaffPseudonym,
            r.Outcome == FacilityAuditOutcome.Found)).ToList();
    }

    /// <summary>
    /// The facility's audit trail, newest first (at most <paramref name="take"/> lines), optionally only the lines of one
    /// staff pseudonym (the one a patient's access log shows); empty unless the caller manages that facility.
    /// </summary>
    public async Task<IReadOnlyList<FacilityAuditView>> OfFacilityAsync(ClaimsPrincipal manager, string facilityId, string? pseudonym = null, int take = 200,
        CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded) return [];
        pseudonym = string.IsNullOrWhiteSpace(pseudonym) ? null : pseudonym.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (
            from entry in db.FacilityAudit.AsNoTracking()
            where entry.FacilityId == facilityId && (pseudonym == null || entry.StaffPseudonym == pseudonym)
            join user in db.Users.AsNoTracking() on entry.UserId equals user.Id into accounts
            from user in accounts.DefaultIfEmpty()
            orderby entry.AtMs descending, entry.Id descending
            select new { Entry = entry, Name = user == null ? null : user.DisplayName, Email = user == null ? null : user.Email }).Take(take).ToListAsync(ct);
        return rows.Select(r => new FacilityAuditView(r.Entry,
            r.Name is { Length: > 0 } name ? name : r.Email ?? "deleted account " + r.Entry.UserId)).ToList();
    }
}

/// <summary>One line of the facility's audit trail with the account it names, for the facility's managers.</summary>
public sealed record FacilityAuditView(FacilityAuditEntry Entry, string Account);
