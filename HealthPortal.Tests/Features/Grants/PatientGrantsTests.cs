using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>
/// Issuing and revoking grants through <see cref="PatientGrants"/> on the test portal's real ledger, with a .NET ECDSA
/// key playing the patient's browser, and what <see cref="ActiveGrants"/> then reports.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PatientGrantsTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private Task<T> Grants<T>(Func<PatientGrants, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientGrants>()));

    private ActiveGrants Active => portal.Services.GetRequiredService<ActiveGrants>();

    private Task<string> NodeOf(string facilityId) => portal.QueryAsync(db => db.Facilities.Where(f => f.Id == facilityId).Select(f => f.NodeKeyId!).SingleAsync());

    private static GrantInput Input(params string[] kinds) => new()
    {
        FacilityId = Lakeview, Kinds = [.. kinds.Length == 0 ? [RecordKinds.LabResult] : kinds], Purpose = GrantPurposes.Treatment,
        Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(30),
    };

    /// <summary>Drafts, signs with the patient's test browser key and submits a grant; returns the outcome.</summary>
    private async Task<Result<GrantDone, LedgerError>> IssueAsync(TestPatient patient, GrantInput input, string? requestId = null)
    {
        var draft = await Grants(g => g.DraftIssueAsync(patient.Principal, input));
        Assert.True(draft.IsOk, draft.ToString());
        var body = draft.Value!.Body;
        return await Grants(g => g.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, body), requestId));
    }

    private async Task<Result<GrantDone, LedgerError>> RevokeAsync(TestPatient patient, string grantId)
    {
        var body = (await Grants(g => g.DraftRevokeAsync(patient.Principal, grantId))).ValueOrThrow();
        return await Grants(g => g.RevokeAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantRevoke, body)));
    }

    [Fact]
    public async Task Issue_SignedByThePatientsBrowserKey_CommitsAndTheGrantIsActiveForThatFacility()
    {
        var patient = await portal.RegisteredPatientAsync();

        var outcome = await IssueAsync(patient, Input(RecordKinds.LabResult, RecordKinds.Diagnosis));

        Assert.True(outcome.IsOk, outcome.Message);
        var grant = Assert.Single(Active.For(await NodeOf(Lakeview), patient.Mpi!));
        Assert.Equal(outcome.Value!.GrantId, grant.Id);
        Assert.Equal([RecordKinds.Diagnosis, RecordKinds.LabResult], grant.Categories);
        Assert.Equal("treatment", grant.Purpose);
        var view = (await Grants(g => g.LoadAsync(patient.Principal)))!;
        var listed = Assert.Single(view.Grants);
        Assert.Equal(GrantStatus.Active, listed.Status);
        Assert.Equal("Because of this grant, Lakeview Family Clinic can see your diagnoses, lab results.", listed.MeaningOn(HealthPortal.Features.Times.UserTime.Default));
    }

    [Fact]
    public async Task Issue_StartingLater_IsListedAsScheduledAndNotActiveYet()
    {
        var patient = await portal.RegisteredPatientAsync();
        var input = Input();
        input.Start = DateTime.UtcNow.AddDays(2);
        input.End = DateTime.UtcNow.AddDays(4);

        Assert.True((await IssueAsync(patient, input)).IsOk);

        Assert.Empty(Active.For(patient.Mpi!));
        Assert.Equal(GrantStatus.Scheduled, Assert.Single((await Grants(g => g.LoadAsync(patient.Principal)))!.Grants).Status);
    }

    [Fact]
    public async Task Issue_WithASignatureOverAnotherBody_IsRefusedBadSignatureBeforeTheLedger()
    {
        var patient = await portal.RegisteredPatientAsync();
        var body = (await Grants(g => g.DraftIssueAsync(patient.Principal, Input()))).Value!.Body;
        var other = (await Grants(g => g.DraftIssueAsync(patient.Principal, Input(Categories.All)))).Value!.Body;

        var outcome = await Grants(g => g.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, other)));

        Assert.Equal(LedgerError.BadSignature, outcome.Error);
        Assert.Empty(Active.For(patient.Mpi!));
    }

    [Fact]
    public async Task Issue_ForAnotherPatientsMpi_IsRefusedSignerNotAuthorized()
    {
        var owner = await portal.RegisteredPatientAsync();
        var intruder = await portal.RegisteredPatientAsync();
        var body = (await Grants(g => g.DraftIssueAsync(owner.Principal, Input()))).Value!.Body;

        var outcome = await Grants(g => g.IssueAsync(intruder.Principal, body, intruder.Key!.Jwk, intruder.Key.Sign(TxType.GrantIssue, body)));

        Assert.Equal(LedgerError.SignerNotAuthorized, outcome.Error);
        Assert.Empty(Active.For(owner.Mpi!));
    }

    [Fact]
    public async Task Issue_SignedWithAKeyThatIsNotThePatients_IsRefusedSignerNotAuthorized()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var stranger = new TestBrowserKey();
        var body = (await Grants(g => g.DraftIssueAsync(patient.Principal, Input()))).Value!.Body;

        var outcome = await Grants(g => g.IssueAsync(patient.Principal, body, stranger.Jwk, stranger.Sign(TxType.GrantIssue, body)));

        Assert.Equal(LedgerError.SignerNotAuthorized, outcome.Error);
    }

    [Fact]
    public async Task Draft_LongerThanMaxGrantDays_NamesTheEndField()
    {
        var patient = await portal.RegisteredPatientAsync();
        var input = Input();
        input.End = input.Start!.Value.AddDays(366);

        var draft = await Grants(g => g.DraftIssueAsync(patient.Principal, input));

        Assert.Equal(LedgerError.InvalidField, draft.Error);
        var problem = Assert.Single(draft.Fields);
        Assert.Equal(GrantValidation.EndField, problem.Field);
        Assert.Contains("at most 365 days", problem.Message);
    }

    [Fact]
    public async Task Draft_ForAFacilityThatIsNotApproved_NamesTheFacilityField()
    {
        var patient = await portal.RegisteredPatientAsync();
        var input = Input();
        input.FacilityId = "fac-does-not-exist";

        var draft = await Grants(g => g.DraftIssueAsync(patient.Principal, input));

        Assert.Equal(LedgerError.InvalidField, draft.Error);
        Assert.Equal(GrantValidation.FacilityField, Assert.Single(draft.Fields).Field);
    }

    [Fact]
    public async Task Revoke_TakesEffectForActiveGrantsAsSoonAsItIsCommitted()
    {
        var patient = await portal.RegisteredPatientAsync();
        var issued = await IssueAsync(patient, Input());
        var node = await NodeOf(Lakeview);
        Assert.Single(Active.For(node, patient.Mpi!));

        var revoked = await RevokeAsync(patient, issued.Value!.GrantId!);

        Assert.True(revoked.IsOk, revoked.Message);
        Assert.Empty(Active.For(node, patient.Mpi!));
        Assert.Null(Active.Covering(node, patient.Mpi!, RecordKinds.LabResult));
        var listed = Assert.Single((await Grants(g => g.LoadAsync(patient.Principal)))!.Grants);
        Assert.Equal(GrantStatus.Revoked, listed.Status);
        Assert.Equal(revoked.Value!.Height, listed.RevokedHeight);
    }

    [Fact]
    public async Task DraftRevoke_OfAnotherPatientsGrant_IsRefusedUnknownGrant()
    {
        var owner = await portal.RegisteredPatientAsync();
        var intruder = await portal.RegisteredPatientAsync();
        var issued = await IssueAsync(owner, Input());

        var draft = await Grants(g => g.DraftRevokeAsync(intruder.Principal, issued.Value!.GrantId!));

        Assert.Equal(LedgerError.UnknownGrant, draft.Error);
    }

    [Fact]
    public async Task Revoke_BodyForAnotherPatientsGrant_IsRefusedSignerNotAuthorized()
    {
        var owner = await portal.RegisteredPatientAsync();
        var intruder = await portal.RegisteredPatientAsync();
        var issued = await IssueAsync(owner, Input());
        var body = (await Grants(g => g.DraftRevokeAsync(owner.Principal, issued.Value!.GrantId!))).ValueOrThrow();

        var outcome = await Grants(g => g.RevokeAsync(intruder.Principal, body, intruder.Key!.Jwk, intruder.Key.Sign(TxType.GrantRevoke, body)));

        Assert.Equal(LedgerError.SignerNotAuthorized, outcome.Error);
        Assert.Single(Active.For(owner.Mpi!));
    }

    [Fact]
    public async Task Load_ForFacilityStaff_IsNull()
    {
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));

        Assert.Null(await Grants(g => g.LoadAsync(staff)));
    }

    [Fact]
    public async Task Load_OffersOnlyApprovedFacilitiesWithALedgerNode()
    {
        var patient = await portal.RegisteredPatientAsync();

        var view = (await Grants(g => g.LoadAsync(patient.Principal)))!;

        Assert.Contains(view.Facilities, f => f.Id == Lakeview);
        var engine = portal.Services.GetRequiredService<LedgerHost>().Engine;
        Assert.All(view.Facilities, f => Assert.Equal(HealthPortal.Ledger.State.NodeStatus.Approved, engine.State.Node(f.NodeId)!.Status));
    }
}
