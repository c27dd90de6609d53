using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patient.Identity;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Features.Retractions;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Retractions;

/// <summary>
/// Issue 13 on the real portal: a clinic visit filed under the wrong patient is retracted by the clinic (the timeline
/// shows the retraction, nothing is shared), re-filed under the right patient who co-signs it; and the patient's
/// "this is not me" on a record or an MRN, answered by the facility's steward, shown on "My identity".
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class RecordRetractionsTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";
    private const string Riverside = "demo-riverside";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Retractions<T>(Func<RecordRetractions, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<RecordRetractions>()));
    private Task<T> Disputes<T>(Func<MpiDisputes, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<MpiDisputes>()));
    private Task<IdentityView> IdentityOf(TestPatient p) => portal.WithScopeAsync(s => s.GetRequiredService<MyIdentity>().OfAsync(p.Principal));
    private Task<PatientTimeline> TimelineOf(TestPatient p) => portal.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(p.Principal));
    private Task<ClaimsPrincipal> ManagerOf(string facility) => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facility));

    /// <summary>A clinic visit at Lakeview, co-signed by <paramref name="patient"/>: its encounter record.</summary>
    private async Task<EhrRecord> AnchoredVisitAsync(TestPatient patient)
    {
        var input = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(8), Clinician = "Dr. Test", ChiefComplaint = "Cough", Findings = "Chest clear." };
        var saved = await portal.Services.GetRequiredService<ClinicRecords>().RecordVisitAsync(Lakeview, patient.Mpi!, input, "staff@test");
        Assert.True(saved.IsOk, saved.Message);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. saved.Value!.Records]);
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);
        Assert.True(outcome.Succeeded, outcome.Error);
        return saved.Value.Records.Single(r => r.Kind == RecordKinds.Encounter);
    }

    [Fact]
    public async Task WrongPatientVisit_IsRetracted_ShownAsRetracted_AndRefiledUnderTheRightPatientWhoCoSigns()
    {
        var wrong = await portal.RegisteredPatientAsync();
        var right = await portal.RegisteredPatientAsync();
        var encounter = await AnchoredVisitAsync(wrong);
        var staff = await portal.StaffOfAsync(Lakeview);

        var retracted = await Retractions(r => r.RetractAsync(staff, Lakeview, encounter.RecordId, RetractReasons.WrongPatient, "Saved under the wrong MRN at the desk."));

        Assert.True(retracted.IsOk, retracted.Message);
        var node = (await Retractions(r => r.AnchoredAsync(staff, Lakeview, wrong.Mpi!))).First().Anchor.Facility;
        var onLedger = Host.Reader.Retraction(node, encounter.RecordId);
        Assert.Equal(RetractReasons.WrongPatient, onLedger!.Reason);
        var timeline = await TimelineOf(wrong);
        Assert.DoesNotContain(timeline.Entries, e => e.Anchor.RecordId == encounter.RecordId);
        var shown = Assert.Single(timeline.Retracted!, e => e.Anchor.RecordId == encounter.RecordId);
        Assert.StartsWith("Retracted by ", shown.RetractionText);
        Assert.EndsWith("— filed under the wrong patient", shown.RetractionText);
        Assert.Null(shown.Verified.Record); // the content, another patient's, is not fetched
        // The staff's words stay on the node: the ledger has the code only.
        Assert.Equal("Saved under the wrong MRN at the desk.", Assert.Single(await Retractions(r => r.OfPatientAsync(staff, Lakeview, wrong.Mpi!)), v => v.RecordId == encounter.RecordId).Words);

        var again = await Retractions(r => r.RetractAsync(staff, Lakeview, encounter.RecordId, RetractReasons.Duplicate, "again"));
        Assert.Equal(RetractionError.AlreadyRetracted, again.Error);

        var toSame = await Retractions(r => r.RefileAsync(staff, Lakeview, encounter.RecordId, wrong.Mpi));
        Assert.Equal(RetractionError.Invalid, toSame.Error);
        Assert.NotNull(toSame.FieldMessage("RightMpi"));

        var refiled = await Retractions(r => r.RefileAsync(staff, Lakeview, encounter.RecordId, right.Mpi));
        Assert.True(refiled.IsOk, refiled.Message);
        Assert.Equal(right.Mpi, refiled.Value!.Mpi);
        var confirmed = await portal.ConfirmAsync(right, refiled.Value.Id);
        Assert.True(confirmed.Succeeded, confirmed.Error);
        var rightTimeline = await TimelineOf(right);
        var copy = Assert.Single(rightTimeline.Entries, e => e.Kind == RecordKinds.Encounter);
        Assert.Equal(RecordIntegrity.Verified, copy.Integrity);
        Assert.NotEqual(encounter.RecordId, copy.Anchor.RecordId);

        var twice = await Retractions(r => r.RefileAsync(staff, Lakeview, encounter.RecordId, right.Mpi));
        Assert.Equal(RetractionError.NotRefilable, twice.Error);
    }

    [Fact]
    public async Task Retraction_IsRefusedToOtherFacilities_AndWithoutReasonOrWords_LosingNothing()
    {
        var patient = await portal.RegisteredPatientAsync();
        var encounter = await AnchoredVisitAsync(patient);
        var riverside = await portal.StaffOfAsync(Riverside);
        var lakeview = await portal.StaffOfAsync(Lakeview);

        var other = await Retractions(r => r.RetractAsync(riverside, Lakeview, encounter.RecordId, RetractReasons.EnteredInError, "not ours"));
        Assert.Equal(RetractionError.Forbidden, other.Error);
        var bare = await Retractions(r => r.RetractAsync(lakeview, Lakeview, encounter.RecordId, "because", " "));
        Assert.Equal(RetractionError.Invalid, bare.Error);
        Assert.NotNull(bare.FieldMessage("Reason"));
        Assert.NotNull(bare.FieldMessage("Words"));
        var unknown = await Retractions(r => r.RetractAsync(lakeview, Lakeview, "visit-never", RetractReasons.Duplicate, "twice"));
        Assert.Equal(RetractionError.NotFound, unknown.Error);

        Assert.Contains((await TimelineOf(patient)).Entries, e => e.Anchor.RecordId == encounter.RecordId);
        Assert.Empty((await TimelineOf(patient)).Retracted ?? []);
    }

    [Fact]
    public async Task NotMe_OnARecord_GoesToTheFacilitysStewards_WhoRetractIt_AndThePatientSeesTheOutcome()
    {
        var patient = await portal.RegisteredPatientAsync();
        var encounter = await AnchoredVisitAsync(patient);

        var identity = await IdentityOf(patient);
        var lakeview = Assert.Single(identity.Facilities, f => f.FacilityId == Lakeview);
        Assert.True(lakeview.RecordCount >= 1);
        Assert.Contains(lakeview.Records, r => r.RecordId == encounter.RecordId && r.Retraction is null);

        var empty = await Disputes(d => d.OpenAsync(patient.Principal, Lakeview, DisputeTarget.Record, encounter.RecordId, ""));
        Assert.NotNull(empty.FieldMessage("Words"));
        var opened = await Disputes(d => d.OpenAsync(patient.Principal, Lakeview, DisputeTarget.Record, encounter.RecordId, "I was never at Lakeview that day."));
        Assert.True(opened.IsOk, opened.Message);
        var twice = await Disputes(d => d.OpenAsync(patient.Principal, Lakeview, DisputeTarget.Record, encounter.RecordId, "Still not me."));
        Assert.Equal(StewardError.AlreadyDecided, twice.Error);
        // Nobody disputes what is not under their number.
        var stranger = await portal.RegisteredPatientAsync();
        var notTheirs = await Disputes(d => d.OpenAsync(stranger.Principal, Lakeview, DisputeTarget.Record, encounter.RecordId, "Not me either."));
        Assert.Equal(StewardError.NotFound, notTheirs.Error);

        var riverside = (await Disputes(async d => await d.QueueAsync(await ManagerOf(Riverside)))).Value!;
        Assert.DoesNotContain(riverside, d => d.Id == opened.Value!.Id);
        var steward = await ManagerOf(Lakeview);
        var queued = Assert.Single((await Disputes(d => d.QueueAsync(steward))).Value!, d => d.Id == opened.Value!.Id);
        Assert.Equal("I was never at Lakeview that day.", queued.Words);
        Assert.Equal(ReviewSource.Dispute, queued.Source);

        var noReason = await Disputes(d => d.AnswerAsync(steward, queued.Id, DisputeAnswer.Retract, ""));
        Assert.NotNull(noReason.FieldMessage("Reason"));
        var wrongAnswer = await Disputes(d => d.AnswerAsync(steward, queued.Id, DisputeAnswer.Unlink, "Checked the desk log."));
        Assert.Equal(StewardError.Invalid, wrongAnswer.Error);
        var answered = await Disputes(d => d.AnswerAsync(steward, queued.Id, DisputeAnswer.Retract, "The desk filed another patient's visit under your number; withdrawn."));
        Assert.True(answered.IsOk, answered.Message);
        Assert.Equal(DisputeStatus.Retracted, answered.Value);

        var after = await IdentityOf(patient);
        var dispute = Assert.Single(after.Disputes, d => d.Id == queued.Id);
        Assert.Equal(DisputeStatus.Retracted, dispute.Status);
        Assert.Contains("withdrawn", dispute.Answer);
        Assert.NotNull(Assert.Single(Assert.Single(after.Facilities, f => f.FacilityId == Lakeview).Records, r => r.RecordId == encounter.RecordId).Retraction);
        Assert.Single((await TimelineOf(patient)).Retracted!, e => e.Anchor.RecordId == encounter.RecordId);
        var late = await Disputes(d => d.AnswerAsync(steward, queued.Id, DisputeAnswer.ThisIsYou, "It is you after all."));
        Assert.Equal(StewardError.AlreadyDecided, late.Error);
    }

    [Fact]
    public async Task NotMe_OnAnMrn_IsUnlinkedByTheSteward_AndTheMrnLeavesThePatientsIdentity()
    {
        var patient = await portal.RegisteredPatientAsync();
        var mrn = "W" + Random.Shared.Next(100_000, 999_999);
        await portal.QueryAsync(async db =>
        {
            db.Add(new MpiRegisterEntry { FacilityId = Lakeview, Mrn = mrn, FullName = "Someone Else", Mpi = patient.Mpi!, Source = RegisterSource.WalkIn, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        var identity = await IdentityOf(patient);
        Assert.Contains(Assert.Single(identity.Facilities, f => f.FacilityId == Lakeview).Mrns, m => m.Mrn == mrn);

        var opened = await Disputes(d => d.OpenAsync(patient.Principal, Lakeview, DisputeTarget.Link, mrn, "That patient number is my neighbour's."));
        Assert.True(opened.IsOk, opened.Message);
        var steward = await ManagerOf(Lakeview);
        var answered = await Disputes(d => d.AnswerAsync(steward, opened.Value!.Id, DisputeAnswer.Unlink, "Registered under the wrong number at the walk-in desk."));
        Assert.True(answered.IsOk, answered.Message);

        var linked = await portal.QueryAsync(db => db.Set<MpiRegisterEntry>().Where(e => e.FacilityId == Lakeview && e.Mrn == mrn).Select(e => e.Mpi).SingleAsync());
        Assert.NotEqual(patient.Mpi, linked);
        var after = await IdentityOf(patient);
        Assert.DoesNotContain(after.Facilities.SelectMany(f => f.Mrns), m => m.Mrn == mrn);
        Assert.Equal(DisputeStatus.Unlinked, Assert.Single(after.Disputes).Status);
    }
}
