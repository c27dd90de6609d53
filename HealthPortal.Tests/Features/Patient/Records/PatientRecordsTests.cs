using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>The timeline service on the real app and ledger, with the facility stores played by a fake fetcher.</summary>
[Collection(TimelineCollection.Name)]
public sealed class PatientRecordsTests(TimelinePortalFactory portal)
{
    private const string Riverside = "demo-riverside";
    private const string Northgate = "demo-northgate";

    private Task<PatientTimeline> TimelineOf(TestPatient patient) =>
        portal.WithScopeAsync(services => services.GetRequiredService<PatientRecords>().TimelineAsync(patient.Principal));

    [Fact]
    public async Task Timeline_UnchangedRecord_IsVerifiedWithItsSummary()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (record, txId) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Encounter, new DateOnly(2026, 3, 2), SampleFhir.Encounter(patient.Mpi!));

        var entry = Assert.Single((await TimelineOf(patient)).Entries);

        Assert.Equal(RecordIntegrity.Verified, entry.Integrity);
        Assert.Equal(txId, entry.TxId);
        Assert.Equal(record.Summary, entry.TrustedSummary);
        Assert.Equal("Riverside General Hospital", entry.FacilityName);
        Assert.Equal(entry.Anchor.Hash, entry.Verified.CurrentHash);
    }

    [Fact]
    public async Task Timeline_ChangedContent_IsAlteredAndItsSummaryIsNotTrusted()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (record, _) = await portal.AnchoredAsync(patient, Northgate, RecordKinds.LabResult, new DateOnly(2026, 3, 3), SampleFhir.Glucose(patient.Mpi!));
        portal.Fetcher.Change(record, SampleFhir.Glucose(patient.Mpi!, value: 5));

        var entry = Assert.Single((await TimelineOf(patient)).Entries);

        Assert.Equal(RecordIntegrity.Altered, entry.Integrity);
        Assert.Null(entry.TrustedSummary);
        Assert.NotEqual(entry.Anchor.Hash, entry.Verified.CurrentHash);
    }

    [Fact]
    public async Task Timeline_RecordNoLongerInTheStore_IsAltered()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (record, _) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Diagnosis, new DateOnly(2026, 3, 2), SampleFhir.Condition(patient.Mpi!));
        portal.Fetcher.Remove(record);

        var entry = Assert.Single((await TimelineOf(patient)).Entries);

        Assert.Equal(RecordIntegrity.Altered, entry.Integrity);
        Assert.Null(entry.Verified.Record);
        Assert.Null(entry.TrustedSummary);
    }

    [Fact]
    public async Task Timeline_UnreachableStore_IsUnavailableNotAltered()
    {
        var patient = await portal.RegisteredPatientAsync();
        // Lakeview is unreachable for the rest of this class: no other test anchors there.
        var (record, _) = await portal.AnchoredAsync(patient, "demo-lakeview", RecordKinds.Encounter, new DateOnly(2026, 3, 1), SampleFhir.ClinicVisit(patient.Mpi!));
        portal.Fetcher.Unreachable(record.FacilityId);

        var entry = Assert.Single((await TimelineOf(patient)).Entries);

        Assert.Equal(RecordIntegrity.Unavailable, entry.Integrity);
        Assert.Null(entry.TrustedSummary);
    }

    [Fact]
    public async Task Timeline_AcrossFacilities_IsNewestFirst()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (_, older) = await portal.AnchoredAsync(patient, Northgate, RecordKinds.LabResult, new DateOnly(2026, 1, 10), SampleFhir.LabReport(patient.Mpi!));
        var (_, newest) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Prescription, new DateOnly(2026, 3, 5), SampleFhir.Prescription(patient.Mpi!));
        var (_, middle) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Note, new DateOnly(2026, 2, 1), SampleFhir.Note(patient.Mpi!));

        var timeline = await TimelineOf(patient);

        Assert.Equal([newest, middle, older], timeline.Entries.Select(e => e.TxId));
        Assert.Equal(["Northgate Diagnostics Laboratory", "Riverside General Hospital"], timeline.Facilities.Select(f => f.Name));
    }

    [Fact]
    public async Task Timeline_ShowsOnlyTheCallersRecords()
    {
        var patient = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var (_, mine) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Encounter, new DateOnly(2026, 3, 2), SampleFhir.Encounter(patient.Mpi!));
        await portal.AnchoredAsync(other, Riverside, RecordKinds.Encounter, new DateOnly(2026, 3, 2), SampleFhir.Encounter(other.Mpi!));

        Assert.Equal([mine], (await TimelineOf(patient)).Entries.Select(e => e.TxId));
    }

    [Fact]
    public async Task Timeline_PatientWithoutMpi_IsNotRegisteredAndEmpty()
    {
        var patient = await portal.NewPatientAsync();

        var timeline = await TimelineOf(patient);

        Assert.Null(timeline.Mpi);
        Assert.Empty(timeline.Entries);
    }

    [Fact]
    public async Task One_AnotherPatientsRecord_IsNotReturned()
    {
        var patient = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var (_, theirs) = await portal.AnchoredAsync(other, Riverside, RecordKinds.Encounter, new DateOnly(2026, 3, 2), SampleFhir.Encounter(other.Mpi!));

        var lookup = await portal.WithScopeAsync(services => services.GetRequiredService<PatientRecords>().AnchorAsync(patient.Principal, theirs));
        var one = await portal.WithScopeAsync(services => services.GetRequiredService<PatientRecords>().OneAsync(patient.Principal, theirs));

        Assert.Equal(RecordLookup.Forbidden, lookup.Status);
        Assert.Null(one);
    }
}
