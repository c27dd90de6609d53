using System.Security.Claims;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.FacilityPortal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Features.Ehr;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// A patient signed up at node a visits Riverside Clinic on node b: b's staff save the visit in b's store, the pending
/// co-signature travels from b to a over the signed node API (never through the ledger), the patient sees it in a's
/// portal and co-signs there, a submits (forwarded to the Raft leader), and b sees the anchors commit on its replica.
/// </summary>
[Collection(CrossNodeCollection.Name)]
public sealed class CrossNodeCosignTests(CrossNodeCluster cluster)
{
    private CrossNodeHost A => cluster.A;
    private CrossNodeHost B => cluster.B;

    [Fact]
    public async Task VisitAtB_ForAPatientOfA_IsCoSignedAtA_AndBSeesItCommitted()
    {
        var patient = await A.RegisteredPatientAsync();
        var (staff, prepared) = await VisitPreparedAtBAsync(patient);
        Assert.Null(prepared.Problem);
        // The staff page's code and link send the patient to their own portal on node a.
        Assert.Equal(A.Url, B.Get<CosignRelay>().PortalOf(patient.Mpi!));
        // Nothing of it is on the ledger until the patient signs.
        Assert.All(prepared.Records, r => Assert.Null(B.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId)));

        var waiting = Assert.Single(await A.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
        Assert.Equal(prepared.Id, waiting.Id);
        Assert.Equal("Riverside Clinic", waiting.FacilityName);
        Assert.Equal(prepared.Records.Select(r => r.TransactionId), waiting.Records.Select(r => r.TransactionId));
        // The patient reads every record before signing (issue 16): the offer carried the content, checked against the hash at a.
        var contents = await A.Workflow(w => w.ContentOfAsync(patient.Principal, prepared.Id));
        Assert.NotNull(contents);
        Assert.Equal(prepared.Records.Select(r => r.RecordId), contents.Select(c => c.RecordId));
        Assert.All(contents, c => Assert.True(c.IsShown, c.Problem?.ToString()));

        var outcome = await A.ConfirmAsync(patient, prepared.Id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(AnchorStatus.Anchored, outcome.Status);
        Assert.All(prepared.Records, r => Assert.NotNull(A.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId)));
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => prepared.Records.All(r => B.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId) is not null)));
        var atB = await B.Workflow(w => w.ForFacilityAsync(staff, prepared.Id));
        Assert.Equal(AnchorStatus.Anchored, atB!.Status);
        Assert.Empty(await A.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
    }

    [Fact]
    public async Task DeskAtB_FindsAPatientOfA_ByMpi_WithTheInitialsAndBirthYearANodeKeeps()
    {
        var patient = await A.RegisteredPatientAsync();
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => B.Ledger.Reader.Patient(patient.Mpi!) is not null));
        var profile = await A.QueryAsync(db => db.PatientProfiles.Where(p => p.MpiNumber == patient.Mpi).Select(p => new { p.FullName, p.BirthDate }).SingleAsync());
        var staff = await StaffPrincipalAsync();

        var lookup = await B.WithScopeAsync(s => s.GetRequiredService<FacilityPatients>().FindAsync(staff, patient.Mpi));

        Assert.True(lookup.IsOk, lookup.Message);
        Assert.Equal(FoundPatient.InitialsOf(profile.FullName), lookup.Value!.Initials);
        Assert.Equal(profile.BirthDate.Year, lookup.Value.BirthYear);
        var unknown = await B.WithScopeAsync(s => s.GetRequiredService<FacilityPatients>().FindAsync(staff, MpiNumber.NewNumber()));
        Assert.Equal(LookupError.NotFound, unknown.Error);
    }

    [Fact]
    public async Task StaleAnchors_AreRenewedByB_BeforeThePatientSignsAtA()
    {
        var patient = await A.RegisteredPatientAsync();
        var (staff, prepared) = await VisitPreparedAtBAsync(patient);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past node a's FreshFor of 5 s

        var toSign = await A.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id));

        Assert.NotNull(toSign);
        Assert.DoesNotContain(toSign, t => prepared.Records.Any(r => r.TransactionId == t.TransactionId));
        var outcome = await A.ConfirmAsync(patient, prepared.Id);
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => prepared.Records.All(r => B.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId) is not null)));
        Assert.Equal(AnchorStatus.Anchored, (await B.Workflow(w => w.ForFacilityAsync(staff, prepared.Id)))!.Status);
    }

    [Fact]
    public async Task DisputesAtA_OfASaveAtB_CoverEveryRecord_AndTheCodesReachB()
    {
        var patient = await A.RegisteredPatientAsync();
        var (staff, prepared) = await VisitPreparedAtBAsync(patient);
        var disputes = prepared.Records.Select(r => new RecordDispute(r.RecordId, AnchorRejectReasons.DidNotHappen)).ToList();

        if (disputes.Count > 1)
        {
            var some = await A.Workflow(w => w.DisputeAsync(patient.Principal, prepared.Id, disputes.Take(1).ToList()));
            Assert.Equal(AnchorError.Invalid, some.Code);
        }
        var all = await A.Workflow(w => w.DisputeAsync(patient.Principal, prepared.Id, disputes));

        Assert.True(all.Succeeded, all.Error);
        var atB = await B.Workflow(w => w.ForFacilityAsync(staff, prepared.Id));
        Assert.Equal(AnchorStatus.Rejected, atB!.Status);
        Assert.Equal(AnchorRejectReasons.StaffLabel(AnchorRejectReasons.DidNotHappen), atB.RejectReason);
        Assert.All(prepared.Records, r => Assert.Null(A.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId)));
    }

    [Fact]
    public async Task PatientRejectsAtA_TheReasonReachesB_AndNothingIsAnchored()
    {
        var patient = await A.RegisteredPatientAsync();
        var (staff, prepared) = await VisitPreparedAtBAsync(patient);

        var outcome = await A.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, "I was not at Riverside that day"));

        Assert.True(outcome.Succeeded, outcome.Error);
        var atB = await B.Workflow(w => w.ForFacilityAsync(staff, prepared.Id));
        Assert.Equal(AnchorStatus.Rejected, atB!.Status);
        Assert.Equal("I was not at Riverside that day", atB.RejectReason);
        Assert.All(prepared.Records, r => Assert.Null(A.Ledger.Reader.Record(cluster.RiversideKey.Id, r.RecordId)));
    }

    [Fact]
    public async Task VisitAtB_ForAPatientWithNoAccountOnAnyNode_StaysWithB_MarkedUndelivered()
    {
        using var key = LedgerKeyPair.Create();
        var mpi = MpiNumber.NewNumber();
        await CrossNodeInteropTests.CommitAsync(B, CrossNodeCluster.Tx.PatientRegister(key.PublicJwk, mpi, LedgerKit.Hash(mpi), 4).SignWith(key));
        var staff = await StaffPrincipalAsync();
        var saved = await B.Get<ClinicRecords>().RecordVisitAsync(CrossNodeCluster.Riverside, mpi, EhrSamples.Visit(), "staff");

        var prepared = await B.Workflow(w => w.PrepareAsync(staff, CrossNodeCluster.Riverside, mpi, saved.Value!.Records));

        Assert.True(prepared.Succeeded, prepared.Error);
        Assert.Equal(AnchorWorkflow.NotYetDelivered, prepared.Confirmation!.Problem);
    }

    private async Task<(ClaimsPrincipal Staff, AnchorConfirmationView Prepared)> VisitPreparedAtBAsync(TestPatient patient)
    {
        Assert.True(await CrossNodeCluster.EventuallyAsync(() => B.Ledger.Reader.Patient(patient.Mpi!) is not null));
        var staff = await StaffPrincipalAsync();
        var saved = await B.Get<ClinicRecords>().RecordVisitAsync(CrossNodeCluster.Riverside, patient.Mpi!, EhrSamples.Visit(), "staff");
        Assert.True(saved.IsOk, saved.Message);
        var prepared = await B.Workflow(w => w.PrepareAsync(staff, CrossNodeCluster.Riverside, patient.Mpi!, saved.Value!.Records));
        Assert.True(prepared.Succeeded, prepared.Error);
        return (staff, prepared.Confirmation!);
    }

    private async Task<ClaimsPrincipal> StaffPrincipalAsync()
    {
        var user = await CrossNodeCluster.StaffAsync(B, CrossNodeCluster.Riverside);
        return await B.PrincipalOfAsync(user.Email!);
    }
}
