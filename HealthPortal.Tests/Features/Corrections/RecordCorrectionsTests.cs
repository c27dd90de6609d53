using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Corrections;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Corrections;

/// <summary>
/// A correction of an anchored clinic visit on the real portal: the form's source is the old visit, the store links
/// the versions, the anchors name what they replace, and the patient's timeline and history follow; plus the
/// patients' correction requests and who may touch them.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class RecordCorrectionsTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Corrections<T>(Func<RecordCorrections, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<RecordCorrections>()));

    private static VisitInput Visit(decimal temperature) => new()
    {
        SeenAt = DateTime.UtcNow.Date.AddHours(9), Clinician = "Dr. Test", ChiefComplaint = "Headache", Findings = "Tension headache.", TemperatureC = temperature,
    };

    /// <summary>A clinic visit saved in Lakeview's store and co-signed by the patient: its records.</summary>
    private async Task<IReadOnlyList<EhrRecord>> AnchoredVisitAsync(TestPatient patient)
    {
        var saved = await portal.Services.GetRequiredService<ClinicRecords>().RecordVisitAsync(Lakeview, patient.Mpi!, Visit(39.5m), "staff@test");
        Assert.True(saved.IsOk, saved.Message);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. saved.Value!.Records]);
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);
        Assert.True(outcome.Succeeded, outcome.Error);
        return saved.Value.Records;
    }

    [Fact]
    public async Task Correction_OfAnchoredVisit_AnchorsSupersedeTheOldVersions_TimelineShowsOnlyTheNewOne()
    {
        var patient = await portal.RegisteredPatientAsync();
        var old = await AnchoredVisitAsync(patient);
        var oldEncounter = old.Single(r => r.Kind == RecordKinds.Encounter);
        var clinic = portal.Services.GetRequiredService<ClinicRecords>();

        var source = await clinic.CorrectionSourceAsync(Lakeview, patient.Mpi!, oldEncounter.RecordId);
        Assert.NotNull(source);
        Assert.Equal(39.5m, source.Input.TemperatureC);
        Assert.Equal("Headache", source.Input.ChiefComplaint);
        Assert.Equal(old.Select(r => r.RecordId).Order(), source.Records.Select(r => r.RecordId).Order());
        source.Input.TemperatureC = 37.5m;
        var saved = await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, source.Input, "staff@test");
        Assert.True(saved.IsOk, saved.Message);
        var staff = await portal.StaffOfAsync(Lakeview);

        var sent = await Corrections(c => c.SendCorrectionAsync(staff, Lakeview, patient.Mpi!,
            new EhrCorrectionSaved(oldEncounter.RecordId, saved.Value!.Records, source.Records, "Temperature typed wrongly")));

        Assert.True(sent.IsOk, sent.Message);
        Assert.Equal(2, sent.Value!.Replaced); // the encounter and the visit note
        var newEncounter = saved.Value!.Records.Single(r => r.Kind == RecordKinds.Encounter);
        Assert.Equal(oldEncounter.RecordId, sent.Value.Confirmation.Records.Single(r => r.RecordId == newEncounter.RecordId).Supersedes);
        var outcome = await portal.ConfirmAsync(patient, sent.Value.Confirmation.Id);
        Assert.True(outcome.Succeeded, outcome.Error);

        var node = sent.Value.Confirmation.FacilityNodeId;
        Assert.Equal(newEncounter.RecordId, Host.Reader.SupersededBy(node, oldEncounter.RecordId));
        Assert.Equal([oldEncounter.RecordId, newEncounter.RecordId], Host.Reader.History(node, newEncounter.RecordId).Select(v => v.Record.RecordId));

        var history = await Corrections(c => c.HistoryAsync(patient.Principal, node, oldEncounter.RecordId));
        Assert.True(history.IsOk, history.Message);
        Assert.Equal([VersionStatus.Anchored, VersionStatus.Anchored], history.Value!.Select(v => v.Status));
        Assert.Equal("Temperature typed wrongly", history.Value![1].Made!.Reason);
        Assert.True(history.Value[1].IsCurrent);
        Assert.All(history.Value, v => Assert.Equal(RecordIntegrity.Verified, v.Integrity));

        var timeline = await portal.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(patient.Principal));
        Assert.DoesNotContain(timeline.Entries, e => e.Anchor.RecordId == oldEncounter.RecordId);
        Assert.Equal(2, timeline.Entries.Single(e => e.Anchor.RecordId == newEncounter.RecordId).Versions);
    }

    [Fact]
    public async Task Correction_OfAnchoredLabReport_IsANewReportOfTheSameTests_AnchoredAsReplacingTheOld()
    {
        const string Northgate = "demo-northgate", Hemoglobin = "718-7";
        var patient = await portal.RegisteredPatientAsync();
        var lab = portal.Services.GetRequiredService<LaboratoryRecords>();
        var unit = LabCatalogue.Find(Hemoglobin)!.Unit;
        var order = await lab.CreateOrderAsync(Northgate, patient.Mpi!, new LabOrderInput { OrderingClinician = "Dr. Test", SpecimenType = "whole blood", CollectedAt = DateTime.UtcNow.AddHours(-2), Tests = [Hemoglobin] }, "tech@test");
        Assert.True(order.IsOk, order.Message);
        var report = await lab.ReportResultsAsync(Northgate, order.Value!.CreatedId!, new Dictionary<string, LabValueInput> { [Hemoglobin] = new() { Value = "9.5", Unit = unit } }, "tech@test");
        Assert.True(report.IsOk, report.Message);
        var old = report.Value!.Records.Single();
        var prepared = await portal.PrepareAsync(Northgate, patient.Mpi!, old);
        Assert.True((await portal.ConfirmAsync(patient, prepared.Id)).Succeeded);

        var source = await lab.CorrectionSourceAsync(Northgate, patient.Mpi!, old.RecordId);
        Assert.NotNull(source);
        Assert.Equal(9.5m, source.Input.Results.Single().Value);
        var corrected = await lab.CorrectReportAsync(Northgate, patient.Mpi!, old.RecordId, new Dictionary<string, LabValueInput> { [Hemoglobin] = new() { Value = "13.5", Unit = unit } }, "tech@test");
        Assert.True(corrected.IsOk, corrected.Message);
        var fresh = corrected.Value!.Records.Single();
        Assert.NotEqual(old.RecordId, fresh.RecordId);
        Assert.Equal(old.Date, fresh.Date); // same collection, so the same clinical date
        var staff = await portal.StaffOfAsync(Northgate);

        var sent = await Corrections(c => c.SendCorrectionAsync(staff, Northgate, patient.Mpi!, new EhrCorrectionSaved(old.RecordId, [fresh], source.Records, "Typing slip: 13.5, not 9.5")));

        Assert.True(sent.IsOk, sent.Message);
        Assert.True((await portal.ConfirmAsync(patient, sent.Value!.Confirmation.Id)).Succeeded);
        Assert.Equal(fresh.RecordId, Host.Reader.SupersededBy(sent.Value.Confirmation.FacilityNodeId, old.RecordId));
        // The old report is still served as it was anchored.
        Assert.Equal(RecordIntegrity.Verified, (await portal.Services.GetRequiredService<RecordVerifier>()
            .VerifyAsync(Host.Reader.Record(sent.Value.Confirmation.FacilityNodeId, old.RecordId)!)).Integrity);
    }

    [Fact]
    public async Task Correction_OfAVersionAlreadyCorrected_IsRefusedAndLinksNothing()
    {
        var patient = await portal.RegisteredPatientAsync();
        var old = await AnchoredVisitAsync(patient);
        var clinic = portal.Services.GetRequiredService<ClinicRecords>();
        var staff = await portal.StaffOfAsync(Lakeview);
        var source = (await clinic.CorrectionSourceAsync(Lakeview, patient.Mpi!, old[0].RecordId))!;
        var first = (await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, source.Input, "staff@test")).Value!;
        Assert.True((await Corrections(c => c.SendCorrectionAsync(staff, Lakeview, patient.Mpi!, new EhrCorrectionSaved(old[0].RecordId, first.Records, source.Records, "First fix")))).IsOk);
        var second = (await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, source.Input, "staff@test")).Value!;

        var again = await Corrections(c => c.SendCorrectionAsync(staff, Lakeview, patient.Mpi!, new EhrCorrectionSaved(old[0].RecordId, second.Records, source.Records, "Second fix")));

        Assert.Equal(CorrectionError.AlreadyCorrected, again.Error);
        var versions = portal.Services.GetRequiredService<EhrVersions>();
        Assert.Null(await versions.MadeAsync(Lakeview, second.Records[0].RecordId));
    }

    [Fact]
    public async Task Correction_ByStaffOfAnotherFacility_IsForbidden()
    {
        var patient = await portal.RegisteredPatientAsync();
        var old = await AnchoredVisitAsync(patient);
        var riverside = await portal.StaffOfAsync("demo-riverside");

        var sent = await Corrections(c => c.SendCorrectionAsync(riverside, Lakeview, patient.Mpi!, new EhrCorrectionSaved(old[0].RecordId, old, old, "Not mine to fix")));

        Assert.Equal(CorrectionError.Forbidden, sent.Error);
    }

    [Fact]
    public async Task Request_AskedByPatient_SeenByStaff_Declined_PatientReadsTheAnswer()
    {
        var patient = await portal.RegisteredPatientAsync();
        var old = await AnchoredVisitAsync(patient);
        var anchor = Host.Reader.RecordsOf(patient.Mpi!).First(a => a.RecordId == old[0].RecordId);
        var staff = await portal.StaffOfAsync(Lakeview);

        var asked = await Corrections(c => c.AskAsync(patient.Principal, anchor, "  The temperature was 37.5, not 39.5.  "));
        Assert.True(asked.IsOk, asked.Message);
        Assert.Equal("The temperature was 37.5, not 39.5.", asked.Value!.Words);

        var open = await Corrections(c => c.RequestsForStaffAsync(staff, Lakeview, null, openOnly: true));
        var mine = Assert.Single(open, r => r.Request.Id == asked.Value.Id);
        Assert.Equal(old[0].Kind, mine.RecordKind);

        var empty = await Corrections(c => c.DeclineAsync(staff, Lakeview, asked.Value.Id, "  "));
        Assert.Equal(CorrectionError.Invalid, empty.Error);
        Assert.NotNull(empty.FieldMessage("Answer"));
        var declined = await Corrections(c => c.DeclineAsync(staff, Lakeview, asked.Value.Id, "The thermometer reading is in the nurse's log: 39.5."));
        Assert.True(declined.IsOk, declined.Message);
        Assert.Equal(CorrectionError.Closed, (await Corrections(c => c.DeclineAsync(staff, Lakeview, asked.Value.Id, "Again"))).Error);

        var seen = Assert.Single(await Corrections(c => c.RequestsForPatientAsync(patient.Principal, anchor)));
        Assert.Equal(CorrectionRequestStatus.Declined, seen.Status);
        Assert.Equal("The thermometer reading is in the nurse's log: 39.5.", seen.Answer);
        Assert.DoesNotContain(await Corrections(c => c.RequestsForStaffAsync(staff, Lakeview, null, openOnly: true)), r => r.Request.Id == asked.Value.Id);
    }

    [Fact]
    public async Task Request_ByAnotherPatient_OrEmpty_OrTooLong_IsRefusedAndNothingIsStored()
    {
        var patient = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var old = await AnchoredVisitAsync(patient);
        var anchor = Host.Reader.RecordsOf(patient.Mpi!).First(a => a.RecordId == old[0].RecordId);

        Assert.Equal(CorrectionError.NotFound, (await Corrections(c => c.AskAsync(stranger.Principal, anchor, "Change it"))).Error);
        Assert.Equal(CorrectionError.Invalid, (await Corrections(c => c.AskAsync(patient.Principal, anchor, " "))).Error);
        var tooLong = await Corrections(c => c.AskAsync(patient.Principal, anchor, new string('x', RecordCorrections.MaxWords + 1)));
        Assert.Equal(CorrectionError.Invalid, tooLong.Error);
        Assert.NotNull(tooLong.FieldMessage("Words"));
        Assert.Empty(await Corrections(c => c.RequestsForPatientAsync(patient.Principal, anchor)));
        Assert.False((await Corrections(c => c.HistoryAsync(stranger.Principal, anchor.Facility, anchor.RecordId))).IsOk);
    }
}
