using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using Bundle = Hl7.Fhir.Model.Bundle;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Access;

/// <summary>
/// "Who accessed my records": the calling patient's access.log entries from the ledger, newest first, and their
/// export as FHIR AuditEvents. Every method authorizes the caller for the patient it reads: that patient
/// (<see cref="PatientScope"/> with <see cref="PortalPolicies.PatientOfMpi"/>), or someone they gave a delegation with
/// the view power ("records and access history"), in force at this read.
/// </summary>
public sealed class PatientAccessLog(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, AccessViews views, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<AccessAlertOptions>? options = null, ActingFor.DelegateAccess? delegates = null)
{
    /// <summary>How far back the dashboard's break-glass alert looks.</summary>
    public TimeSpan AlertWindow { get; } = (options?.Value ?? new()).BreakGlassWindow;

    /// <summary>The caller's MPI number when they are a patient registered on the ledger, else null.</summary>
    public async Task<string?> MyMpiAsync(ClaimsPrincipal patient)
    {
        if (!(await authorization.AuthorizeAsync(patient, PortalPolicies.PatientPortal)).Succeeded) return null;
        if (patient.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        var mpi = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
        return mpi is not null && ledger.Reader.Patient(mpi) is not null ? mpi : null;
    }

    /// <summary>The accesses to <paramref name="mpi"/>'s records that <paramref name="filter"/> selects, newest first; empty when the caller is not that patient.</summary>
    public async Task<IReadOnlyList<AccessView>> AccessesAsync(ClaimsPrincipal patient, string mpi, AccessFilter? filter = null)
    {
        if (!await MayReadAsync(patient, mpi)) return [];
        var entries = ledger.Reader.AccessesOf(mpi);
        var all = await views.ViewsAsync(entries.Reverse(), resolveStaff: false);
        return filter is null ? all : all.Where(filter.Matches).ToList();
    }

    /// <summary>The caller's own accesses (see <see cref="AccessesAsync"/>); empty for anyone who is not a registered patient.</summary>
    public async Task<IReadOnlyList<AccessView>> MineAsync(ClaimsPrincipal patient, AccessFilter? filter = null) =>
        await MyMpiAsync(patient) is { } mpi ? await AccessesAsync(patient, mpi, filter) : [];

    /// <summary>The caller's break-glass accesses of the last <see cref="AlertWindow"/>, newest first.</summary>
    public async Task<IReadOnlyList<AccessView>> RecentBreakGlassAsync(ClaimsPrincipal patient)
    {
        var since = clock.GetUtcNow() - AlertWindow;
        return (await MineAsync(patient, new AccessFilter(BreakGlassOnly: true))).Where(a => a.At >= since).ToList();
    }

    /// <summary>
    /// <paramref name="mpi"/>'s accesses as a FHIR Bundle of AuditEvents, or null when the caller is not that patient.
    /// </summary>
    public async Task<Bundle?> AuditEventsAsync(ClaimsPrincipal patient, string mpi)
    {
        if (!await MayReadAsync(patient, mpi)) return null;
        var accesses = await AccessesAsync(patient, mpi);
        var engine = ledger.Engine;
        var observer = new LedgerObserver(engine.NodeId, engine.Reader.Node(engine.NodeId)?.Name ?? engine.Genesis.Sealer.Name, engine.Genesis.ChainId);
        return AccessAuditEvents.Bundle(mpi, accesses, observer, clock.GetUtcNow());
    }

    private async Task<bool> MayReadAsync(ClaimsPrincipal patient, string mpi) =>
        (await authorization.AuthorizeAsync(patient, new PatientScope(mpi), PortalPolicies.PatientOfMpi)).Succeeded
        || (delegates is not null && await delegates.AllowsAsync(patient, mpi, global::HealthPortal.Ledger.Transactions.DelegationPowers.View));
}
