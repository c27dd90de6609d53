using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Grants;

/// <summary>
/// Whose sharing a request works on: the caller's own (<paramref name="IsSelf"/>), or a person they act for under
/// <paramref name="DelegationId"/> (in force now with the <c>view</c> and <c>share</c> powers).
/// </summary>
/// <param name="Guardian">True when the delegation is a guardianship (the page says "you are their guardian").</param>
public sealed record SharingSubject(string Mpi, string Name, bool IsSelf, string CallerMpi, string? DelegationId, bool Guardian = false);

/// <summary>
/// The one decision the grant services make at every call that names a person (issue 14): the caller themselves, or
/// someone who gave them a delegation with the <c>view</c> and <c>share</c> powers in force now, read from the ledger
/// (<see cref="DelegateAccess"/>) and the account's MPI number in the portal database, never from the page. So a
/// revocation or the delegation's end refuses the next request of a page already open. Made by the services that need
/// it rather than registered, so hosts without the acting-for services (component tests) still get one's own sharing.
/// </summary>
internal sealed class SharingSubjects(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, DelegateAccess? delegates)
{
    /// <summary>
    /// <paramref name="forMpi"/> null or the caller's own number: the caller. Refusals:
    /// <see cref="LedgerError.SignerNotAuthorized"/> (not a patient), <see cref="LedgerError.UnknownPatient"/> (not
    /// registered), <see cref="LedgerError.PowerNotDelegated"/> with the reason in words (no delegation from that person
    /// now, or one without the share power).
    /// </summary>
    public async Task<Result<SharingSubject, LedgerError>> SubjectAsync(ClaimsPrincipal user, string? forMpi)
    {
        if (!(await authorization.AuthorizeAsync(user, PortalPolicies.PatientPortal)).Succeeded)
            return Result.Fail(LedgerError.SignerNotAuthorized, GrantWords.Text("OnlyPatients"));
        var own = await OwnMpiAsync(user);
        if (own is null || ledger.Reader.Patient(own) is null) return Result.Fail(LedgerError.UnknownPatient, GrantWords.Text("NotRegistered"));
        if (forMpi is null || forMpi == own) return new SharingSubject(own, own, true, own, null);
        var name = delegates is null ? forMpi : (await delegates.NamesAsync([forMpi])).GetValueOrDefault(forMpi) ?? forMpi;
        if (delegates?.InForce(own, forMpi, DelegationPowers.View) is not { } viewing)
            return Result.Fail(LedgerError.PowerNotDelegated, GrantWords.Format("NotActingFor", name));
        if (Sharing(own, forMpi) is not { } sharing)
            return Result.Fail(LedgerError.PowerNotDelegated, GrantWords.Format("NoSharePower", name));
        return new SharingSubject(forMpi, name, false, own, sharing.Id, viewing.Kind == DelegationKinds.Guardian);
    }

    /// <summary>The delegation from <paramref name="patientMpi"/> to <paramref name="own"/> with the share power in force now, or null.</summary>
    public DelegationEntry? Sharing(string own, string patientMpi) => delegates?.InForce(own, patientMpi, DelegationPowers.Share);

    /// <summary>The signed-in account's own MPI number from the portal database (null when not registered yet).</summary>
    public async Task<string?> OwnMpiAsync(ClaimsPrincipal user)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
    }
}
