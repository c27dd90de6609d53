using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>
/// The Sharing page's services for the person a delegate acts for (issue 14): every method takes whose sharing it works
/// on and decides again from the ledger's delegations in force (view and share), so a delegate with the share power
/// lists, issues, revokes, approves and declines for the person; without it, after a revocation or the delegation's
/// end, and for someone who holds no delegation, every method refuses with the reason and nothing changes.
/// Real portal, real ledger.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DelegateSharingTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Grants<T>(Func<PatientGrants, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientGrants>()));
    private Task<T> Requests<T>(Func<AccessRequests, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<AccessRequests>()));

    private static GrantInput Input(string facility = Lakeview) => new()
    {
        FacilityId = facility, Kinds = [RecordKinds.LabResult], Purpose = GrantPurposes.Treatment, Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(7),
    };

    /// <summary><paramref name="signer"/> drafts a grant for <paramref name="forMpi"/> (their own when null), signs it with their own key and submits it.</summary>
    private async Task<string> IssueAsync(TestPatient signer, string? forMpi, string facility = Lakeview, string? requestId = null)
    {
        var input = requestId is null ? Input(facility) : await PrefilledAsync(requestId);
        var draft = await Grants(g => g.DraftIssueAsync(signer.Principal, input, forMpi));
        Assert.True(draft.IsOk, draft.Message);
        var body = draft.Value!.Body;
        var issued = await Grants(g => g.IssueAsync(signer.Principal, body, signer.Key!.Jwk, signer.Key.Sign(TxType.GrantIssue, body), requestId));
        Assert.True(issued.IsOk, issued.Message);
        return issued.Value!.GrantId;
    }

    /// <summary>The grant form as "Review and approve" fills it from a request.</summary>
    private async Task<GrantInput> PrefilledAsync(string requestId)
    {
        var request = await portal.QueryAsync(db => db.AccessRequests.SingleAsync(r => r.Id == requestId));
        return new GrantInput
        {
            FacilityId = request.FacilityId, Kinds = [.. request.CategoryList], Purpose = request.Purpose,
            Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(request.DurationDays), RequestId = request.Id,
        };
    }

    private async Task<string> AskAsync(TestPatient patient, string facility = Lakeview)
    {
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, facility));
        var asked = await Requests(r => r.CreateAsync(staff, facility, patient.Mpi!,
            new AccessRequestInput { Kinds = [RecordKinds.LabResult], Purpose = GrantPurposes.Referral, DurationDays = 10 }));
        Assert.True(asked.IsOk, asked.Message);
        return asked.Value!.Id;
    }

    private Task<AccessRequestStatus> StatusOfAsync(string requestId) =>
        portal.QueryAsync(db => db.AccessRequests.Where(r => r.Id == requestId).Select(r => r.Status).SingleAsync());

    private async Task<string> NameOfAsync(TestPatient patient) =>
        await portal.QueryAsync(db => db.PatientProfiles.Where(p => p.MpiNumber == patient.Mpi).Select(p => p.FullName).SingleAsync());

    [Fact]
    public async Task WithTheSharePower_TheDelegateSeesThePersonsGrantsAndRequests_NotTheirOwn()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var fathers = await IssueAsync(father, null);
        var sons = await IssueAsync(son, null, Northgate);
        var asked = await AskAsync(father);

        var view = await Grants(g => g.LoadForAsync(son.Principal, father.Mpi));
        var own = await Grants(g => g.LoadAsync(son.Principal));

        Assert.True(view.IsOk, view.Message);
        Assert.Equal(father.Mpi, view.Value!.Mpi);
        Assert.Equal((await NameOfAsync(father), false), (view.Value.ActingFor!.Name, view.Value.ActingFor.Guardian));
        Assert.Equal([fathers], view.Value.Grants.Select(g => g.Id));
        Assert.Equal([asked], view.Value.PendingRequests.Select(r => r.Id));
        Assert.Equal([sons], own!.Grants.Select(g => g.Id));
        Assert.Null(own.ActingFor);
        // A page open for the father never revokes the son's own grant, nor one for the son the father's.
        Assert.Equal(LedgerError.UnknownGrant, (await Grants(g => g.DraftRevokeAsync(son.Principal, sons, father.Mpi))).Error);
        Assert.Equal(LedgerError.UnknownGrant, (await Grants(g => g.DraftRevokeAsync(son.Principal, fathers, son.Mpi))).Error);
    }

    [Fact]
    public async Task WithTheSharePower_TheDelegateApprovesAndDeclinesRequests_AndRevokes_ThePersonSeesWhoDidIt()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var toApprove = await AskAsync(father);
        var toDecline = await AskAsync(father, Northgate);

        var grant = await IssueAsync(son, father.Mpi, requestId: toApprove);
        var declined = await Requests(r => r.DeclineAsync(son.Principal, toDecline, "Not needed now", father.Mpi));
        var revoke = await Grants(g => g.DraftRevokeAsync(son.Principal, grant, father.Mpi));
        Assert.True(revoke.IsSuccess, revoke.Message);
        Assert.Equal(delegation, (string?)revoke.Value!["delegation"]);
        var revoked = await Grants(g => g.RevokeAsync(son.Principal, revoke.Value!, son.Key!.Jwk, son.Key.Sign(TxType.GrantRevoke, revoke.Value!)));

        Assert.True(declined.IsOk, declined.Message);
        Assert.True(revoked.IsOk, revoked.Message);
        Assert.Equal(AccessRequestStatus.Approved, await StatusOfAsync(toApprove));
        Assert.Equal(grant, await portal.QueryAsync(db => db.AccessRequests.Where(r => r.Id == toApprove).Select(r => r.GrantId).SingleAsync()));
        Assert.Equal(AccessRequestStatus.Declined, await StatusOfAsync(toDecline));
        Assert.NotNull(Host.Reader.Grant(grant)!.RevokedHeight);
        // Both signed by the son's own key under the delegation, and the father's access history says so in words.
        Assert.All(Host.Reader.DelegatedActsOf(father.Mpi!), a => Assert.Equal((son.Mpi, delegation, son.Key!.Kid), (a.Delegate, a.Delegation, a.Signer)));
        var acts = await portal.WithScopeAsync(s => s.GetRequiredService<DelegatedActs>().ActsAsync(father.Principal, father.Mpi!));
        var sonsName = await NameOfAsync(son);
        var lakeview = Host.Reader.Node(Host.Reader.Grant(grant)!.Facility)!.Name;
        Assert.Equal(
            [$"Revoked by {sonsName} for you: {lakeview} no longer sees your records under that grant",
             $"Granted by {sonsName} for you: {lakeview} may see your records under this grant"],
            acts.Select(a => a.What));
    }

    [Fact]
    public async Task WithoutTheSharePower_EveryMethodRefusesWithTheReason_AndNothingChanges()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);
        var fathers = await IssueAsync(father, null);
        var asked = await AskAsync(father);
        var name = await NameOfAsync(father);

        var load = await Grants(g => g.LoadForAsync(son.Principal, father.Mpi));
        var draft = await Grants(g => g.DraftIssueAsync(son.Principal, Input(), father.Mpi));
        var revokeDraft = await Grants(g => g.DraftRevokeAsync(son.Principal, fathers, father.Mpi));
        // A revocation body made elsewhere, naming the son's delegation, is refused before the ledger too.
        var body = (await Grants(g => g.DraftRevokeAsync(father.Principal, fathers))).Value!;
        body["delegation"] = delegation;
        var revoked = await Grants(g => g.RevokeAsync(son.Principal, body, son.Key!.Jwk, son.Key.Sign(TxType.GrantRevoke, body)));
        var declined = await Requests(r => r.DeclineAsync(son.Principal, asked, null, father.Mpi));

        Assert.Equal(LedgerError.PowerNotDelegated, load.Error);
        Assert.Equal($"Your delegation from {name} does not allow sharing: it does not include managing sharing, so you cannot give or revoke grants or answer facilities' requests for them.", load.Message);
        Assert.Equal((LedgerError.PowerNotDelegated, load.Message), (draft.Error, draft.Message));
        Assert.Equal((LedgerError.PowerNotDelegated, load.Message), (revokeDraft.Error, revokeDraft.Message));
        Assert.Equal(LedgerError.PowerNotDelegated, revoked.Error);
        Assert.Equal((AccessRequestError.Forbidden, load.Message), (declined.Error, declined.Message));
        Assert.Null(Host.Reader.Grant(fathers)!.RevokedHeight);
        Assert.Equal(AccessRequestStatus.Pending, await StatusOfAsync(asked));
        Assert.Empty(Host.Reader.DelegatedActsOf(father.Mpi!));
    }

    [Fact]
    public async Task AfterTheDelegationIsRevoked_ThePageOpenForThePersonIsRefused_AndTheirGrantsStay()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var grant = await IssueAsync(son, father.Mpi);
        var asked = await AskAsync(father);
        // Prepared while the delegation was in force, as an open page would have it.
        var revoke = (await Grants(g => g.DraftRevokeAsync(son.Principal, grant, father.Mpi))).Value!;
        var draft = (await Grants(g => g.DraftIssueAsync(son.Principal, Input(Northgate), father.Mpi))).Value!.Body;

        await portal.RevokeDelegationAsync(father, delegation);

        var load = await Grants(g => g.LoadForAsync(son.Principal, father.Mpi));
        var revoked = await Grants(g => g.RevokeAsync(son.Principal, revoke, son.Key!.Jwk, son.Key.Sign(TxType.GrantRevoke, revoke)));
        var issued = await Grants(g => g.IssueAsync(son.Principal, draft, son.Key!.Jwk, son.Key.Sign(TxType.GrantIssue, draft)));
        var declined = await Requests(r => r.DeclineAsync(son.Principal, asked, null, father.Mpi));

        Assert.Equal(LedgerError.PowerNotDelegated, load.Error);
        Assert.Equal($"You may not act for {await NameOfAsync(father)} now: their delegation to you has ended or does not exist.", load.Message);
        Assert.Equal(LedgerError.PowerNotDelegated, revoked.Error);
        Assert.Equal(LedgerError.PowerNotDelegated, issued.Error);
        Assert.Equal(AccessRequestError.Forbidden, declined.Error);
        Assert.Equal([grant], Host.Reader.GrantsOf(father.Mpi!).Select(g => g.Id));
        Assert.Null(Host.Reader.Grant(grant)!.RevokedHeight);
        Assert.Equal(AccessRequestStatus.Pending, await StatusOfAsync(asked));
        // The father's own page is untouched: he still sees and may revoke the grant his son made.
        Assert.Equal([grant], (await Grants(g => g.LoadAsync(father.Principal)))!.Grants.Select(g => g.Id));
    }

    [Fact]
    public async Task AfterTheDelegationsEnd_TheDelegateIsRefused()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        // The delegation runs 30 days (DelegationKit): the same services a day after its end.
        var later = new ManualClock(DateTimeOffset.UtcNow.AddDays(31));

        var (refused, draft) = await portal.WithScopeAsync(async s =>
        {
            var access = new DelegateAccess(s.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(), Host, later);
            var grants = ActivatorUtilities.CreateInstance<PatientGrants>(s, (TimeProvider)later, access);
            return (await grants.LoadForAsync(son.Principal, father.Mpi), await grants.DraftIssueAsync(son.Principal, Input(), father.Mpi));
        });
        var today = await Grants(g => g.LoadForAsync(son.Principal, father.Mpi));

        Assert.Equal(LedgerError.PowerNotDelegated, refused.Error);
        Assert.Equal(LedgerError.PowerNotDelegated, draft.Error);
        Assert.True(today.IsOk, today.Message);
    }

    [Fact]
    public async Task SomeoneWithNoDelegation_SeesAndChangesNothingOfAnotherPersonsSharing()
    {
        var father = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var fathers = await IssueAsync(father, null);
        var asked = await AskAsync(father);

        var load = await Grants(g => g.LoadForAsync(stranger.Principal, father.Mpi));
        var own = await Grants(g => g.LoadAsync(stranger.Principal));
        var draft = await Grants(g => g.DraftIssueAsync(stranger.Principal, Input(), father.Mpi));
        var revokeFor = await Grants(g => g.DraftRevokeAsync(stranger.Principal, fathers, father.Mpi));
        var revokeAny = await Grants(g => g.DraftRevokeAsync(stranger.Principal, fathers));
        var declineFor = await Requests(r => r.DeclineAsync(stranger.Principal, asked, null, father.Mpi));
        var declineAny = await Requests(r => r.DeclineAsync(stranger.Principal, asked, null));

        Assert.Equal(LedgerError.PowerNotDelegated, load.Error);
        Assert.StartsWith("You may not act for ", load.Message);
        Assert.Empty(own!.Grants);
        Assert.Empty(own.PendingRequests);
        Assert.Equal(LedgerError.PowerNotDelegated, draft.Error);
        Assert.Equal(LedgerError.PowerNotDelegated, revokeFor.Error);
        Assert.Equal(LedgerError.UnknownGrant, revokeAny.Error);
        Assert.Equal(AccessRequestError.Forbidden, declineFor.Error);
        Assert.Equal(AccessRequestError.NotFound, declineAny.Error);
        Assert.Null(Host.Reader.Grant(fathers)!.RevokedHeight);
        Assert.Equal(AccessRequestStatus.Pending, await StatusOfAsync(asked));
    }

    [Fact]
    public async Task ANonPatient_IsRefused_AsNotAPatient()
    {
        var father = await portal.RegisteredPatientAsync();
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));

        var load = await Grants(g => g.LoadForAsync(staff, father.Mpi));

        Assert.Equal(LedgerError.SignerNotAuthorized, load.Error);
        Assert.Null(await Grants(g => g.LoadAsync(staff)));
    }
}
