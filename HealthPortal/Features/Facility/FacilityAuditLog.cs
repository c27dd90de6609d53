using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Facility;

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

    /// <summary>The facility's audit trail, newest first (at most <paramref name="take"/> lines); empty unless the caller manages that facility.</summary>
    public async Task<IReadOnlyList<FacilityAuditEntry>> OfFacilityAsync(ClaimsPrincipal manager, string facilityId, int take = 200, CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FacilityAudit.AsNoTracking().Where(e => e.FacilityId == facilityId)
            .OrderByDescending(e => e.AtMs).ThenByDescending(e => e.Id).Take(take).ToListAsync(ct);
    }
}
