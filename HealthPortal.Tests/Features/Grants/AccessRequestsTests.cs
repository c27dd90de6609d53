using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>
/// Staff ask for access, the patient approves (by signing a grant) or declines; each side acts only on its own
/// resources, checked on the server.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AccessRequestsTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";

    private Task<T> Requests<T>(Func<AccessRequests, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<AccessRequests>()));
    private Task<T> Grants<T>(Func<PatientGrants, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientGrants>()));

    private Task<ClaimsPrincipal> Staff(string facility) => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, facility));

    private static AccessRequestInput Ask(int days = 14) => new() { Kinds = [RecordKinds.LabResult], Purpose = GrantPurposes.Referral, DurationDays = days, Message = "Referred for follow-up." };

    private async Task<AccessRequestView> RequestFor(TestPatient patient, string facility = Lakeview)
    {
        var staff = await Staff(facility);
        var outcome = await Requests(r => r.CreateAsync(staff, facility, patient.Mpi!, Ask()));
        Assert.True(outcome.IsOk, outcome.Message);
        return outcome.Value!;
    }

    [Fact]
    public async Task Create_ByStaff_IsPendingAndThePatientSeesItAndItsCount()
    {
        var patient = await portal.RegisteredPatientAsync();

        var request = await RequestFor(patient);

        Assert.Equal(AccessRequestStatus.Pending, request.Status);
        Assert.Equal("Lakeview Family Clinic", request.FacilityName);
        Assert.Equal(1, await Requests(r => r.PendingCountAsync(patient.Principal)));
        var pending = Assert.Single((await Grants(g => g.LoadAsync(patient.Principal)))!.PendingRequests);
        Assert.Equal(request.Id, pending.Id);
        Assert.Equal("Referred for follow-up.", pending.Message);
    }

    [Fact]
    public async Task Create_ForAnUnknownMpi_IsRefusedClearly()
    {
        var staff = await Staff(Lakeview);

        var outcome = await Requests(r => r.CreateAsync(staff, Lakeview, "MPI-NOPE-0000", Ask()));

        Assert.False(outcome.IsOk);
        Assert.Equal(AccessRequestError.UnknownPatient, outcome.Error);
    }

    [Fact]
    public async Task Create_OnBehalfOfAnotherFacility_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var staff = await Staff(Lakeview);

        var outcome = await Requests(r => r.CreateAsync(staff, Northgate, patient.Mpi!, Ask()));

        Assert.False(outcome.IsOk);
        Assert.Equal(0, await Requests(r => r.PendingCountAsync(patient.Principal)));
    }

    [Fact]
    public async Task Create_ByAPatient_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();

        var outcome = await Requests(r => r.CreateAsync(patient.Principal, Lakeview, patient.Mpi!, Ask()));

        Assert.False(outcome.IsOk);
    }

    [Fact]
    public async Task Create_LongerThanMaxGrantDays_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var staff = await Staff(Lakeview);

        var outcome = await Requests(r => r.CreateAsync(staff, Lakeview, patient.Mpi!, Ask(days: 366)));

        Assert.Equal(AccessRequestError.Invalid, outcome.Error);
    }

    [Fact]
    public async Task OfFacility_ShowsOnlyTheRequestingFacilitysRequests()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);

        Assert.Equal(request.Id, Assert.Single(await Requests(async r => await r.OfFacilityAsync(await Staff(Lakeview), Lakeview, patient.Mpi!))).Id);
        Assert.Empty(await Requests(async r => await r.OfFacilityAsync(await Staff(Northgate), Lakeview, patient.Mpi!)));
        Assert.Empty(await Requests(r => r.OfFacilityAsync(patient.Principal, Lakeview, patient.Mpi!)));
    }

    [Fact]
    public async Task Cancel_ByStaffOfAnotherFacility_IsRefusedAndTheRequestStaysPending()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);

        var outcome = await Requests(async r => await r.CancelAsync(await Staff(Northgate), request.Id));

        Assert.False(outcome.IsOk);
        Assert.Equal(1, await Requests(r => r.PendingCountAsync(patient.Principal)));
    }

    [Fact]
    public async Task Cancel_ByTheRequestingFacility_WithdrawsIt()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);

        var outcome = await Requests(async r => await r.CancelAsync(await Staff(Lakeview), request.Id));

        Assert.Equal(AccessRequestStatus.Cancelled, outcome.Value!.Status);
        Assert.Equal(0, await Requests(r => r.PendingCountAsync(patient.Principal)));
    }

    [Fact]
    public async Task Approve_ByThePatientSigningTheGrant_RecordsTheGrantOnTheRequest()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);
        var input = AccessRequests.Prefill((await Requests(r => r.FindForPatientAsync(patient.Principal, request.Id)))!, DateTimeOffset.UtcNow);
        var body = (await Grants(g => g.DraftIssueAsync(patient.Principal, input))).Value!.Body;

        var outcome = await Grants(g => g.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, body), request.Id));

        Assert.True(outcome.IsOk, outcome.Message);
        var answered = Assert.Single(await Requests(async r => await r.OfFacilityAsync(await Staff(Lakeview), Lakeview, patient.Mpi!)));
        Assert.Equal(AccessRequestStatus.Approved, answered.Status);
        Assert.Equal(outcome.Value!.GrantId, answered.GrantId);
        Assert.Equal(outcome.Value!.Height, answered.GrantHeight);
        var grant = Assert.Single(portal.Services.GetRequiredService<ActiveGrants>().For(patient.Mpi!));
        Assert.Equal([RecordKinds.LabResult], grant.Categories);
        Assert.Equal(GrantPurposes.Referral, grant.Purpose);
        Assert.Equal(14L * 86_400_000, grant.ExpiresAt - grant.NotBefore);
    }

    [Fact]
    public async Task Approve_WithAGrantForAnotherFacility_IsRefusedAndNothingIsSubmitted()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);
        var input = AccessRequests.Prefill(request, DateTimeOffset.UtcNow);
        input.FacilityId = Northgate;
        var body = (await Grants(g => g.DraftIssueAsync(patient.Principal, input))).Value!.Body;

        var outcome = await Grants(g => g.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, body), request.Id));

        Assert.False(outcome.IsOk);
        Assert.Empty(portal.Services.GetRequiredService<ActiveGrants>().For(patient.Mpi!));
    }

    [Fact]
    public async Task Decline_ByThePatient_RecordsTheReasonForTheFacility()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);

        var outcome = await Requests(r => r.DeclineAsync(patient.Principal, request.Id, "Not now"));

        Assert.True(outcome.IsOk, outcome.Message);
        var seen = Assert.Single(await Requests(async r => await r.OfFacilityAsync(await Staff(Lakeview), Lakeview, patient.Mpi!)));
        Assert.Equal(AccessRequestStatus.Declined, seen.Status);
        Assert.Equal("Not now", seen.DeclineReason);
        Assert.Equal(0, await Requests(r => r.PendingCountAsync(patient.Principal)));
    }

    [Fact]
    public async Task Decline_ByAnotherPatient_IsRefusedAndTheRequestStaysPending()
    {
        var patient = await portal.RegisteredPatientAsync();
        var intruder = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);

        var outcome = await Requests(r => r.DeclineAsync(intruder.Principal, request.Id, null));

        Assert.False(outcome.IsOk);
        Assert.Null(await Requests(r => r.FindForPatientAsync(intruder.Principal, request.Id)));
        Assert.Equal(1, await Requests(r => r.PendingCountAsync(patient.Principal)));
    }

    [Fact]
    public async Task Decline_ByTheRequestingStaff_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var request = await RequestFor(patient);

        var outcome = await Requests(async r => await r.DeclineAsync(await Staff(Lakeview), request.Id, null));

        Assert.False(outcome.IsOk);
    }
}
