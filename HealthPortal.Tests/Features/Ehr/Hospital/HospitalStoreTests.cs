// FHIR POCO elements are all optional (nullable); these tests navigate what the mapping is known to set.
#nullable disable warnings
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Records;

namespace HealthPortal.Tests.Features.Ehr.Hospital;

public sealed class HospitalStoreTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private const string Facility = EhrTestNode.Hospital;

    private async Task<(string Mpi, IReadOnlyList<EhrRecord> Records)> SaveAsync(AdmissionInput? input = null)
    {
        var mpi = EhrTestNode.NewMpi();
        var saved = await node.HospitalRecords.RecordAdmissionAsync(Facility, mpi, input ?? EhrSamples.Admission(), "su.su@riverside");
        Assert.True(saved.IsOk, saved.ToString());
        return (mpi, saved.Value!.Records);
    }

    private async Task<T> ReadAsync<T>(string recordId) where T : Resource
    {
        var read = await node.Stores.Find(Facility)!.ReadAsync(recordId);
        Assert.Equal(EhrReadStatus.Found, read.Status);
        return Assert.IsType<T>(read.Record!.Fhir);
    }

    [Fact]
    public async Task RecordAdmission_CreatesOneRecordPerEncounterDiagnosisPrescriptionAndNote()
    {
        var (mpi, records) = await SaveAsync();

        Assert.Equal([RecordKinds.Encounter, RecordKinds.Diagnosis, RecordKinds.Diagnosis, RecordKinds.Prescription, RecordKinds.Note], records.Select(r => r.Kind));
        Assert.All(records, r =>
        {
            Assert.Equal(Facility, r.FacilityId);
            Assert.Equal(mpi, r.Mpi);
            // The note is dated when it was written (now), on the facility's calendar (Asia/Yangon, 6.5 h ahead of UTC:
            // the UTC date failed every evening from 17:30 UTC); everything else by the admission.
            Assert.Equal(r.Kind == RecordKinds.Note ? EhrFhir.LocalDate(DateTime.UtcNow, zone: null) : new DateOnly(2026, 3, 2), r.Date);
            Assert.Matches("^[a-z]+-[0-9a-f-]{36}$", r.RecordId);
            Assert.Equal(r.RecordId, r.Fhir.Id);
        });
    }

    [Fact]
    public async Task Encounter_RoundTripsTheAdmission()
    {
        var (mpi, records) = await SaveAsync();

        var encounter = await ReadAsync<Encounter>(records[0].RecordId);

        Assert.Equal("IMP", encounter.Class.Code);
        Assert.Equal(Encounter.EncounterStatus.Finished, encounter.Status);
        Assert.Equal("2026-03-02T08:30:00Z", encounter.Period.Start);
        Assert.Equal("2026-03-05T08:30:00Z", encounter.Period.End);
        Assert.Equal("Ward 3", encounter.Location.Single().Location.Display);
        Assert.Equal("Dr. Okafor", encounter.Participant.Single().Individual.Display);
        Assert.Equal(("urn:healthportal:mpi", mpi), (encounter.Subject.Identifier.System, encounter.Subject.Identifier.Value));
        Assert.Null(encounter.Subject.Display);
        Assert.Equal(Facility, encounter.ServiceProvider.Identifier.Value);
        Assert.Equal("urn:healthportal:facility:" + Facility, encounter.Meta.Source);
    }

    [Fact]
    public async Task ConditionAndMedicationRequest_RoundTripTheirRows()
    {
        var (_, records) = await SaveAsync();

        var condition = await ReadAsync<Condition>(records[1].RecordId);
        var request = await ReadAsync<MedicationRequest>(records[3].RecordId);
        var note = await ReadAsync<DocumentReference>(records[4].RecordId);

        Assert.Equal(("http://hl7.org/fhir/sid/icd-10", "J18.9"), (condition.Code.Coding[0].System, condition.Code.Coding[0].Code));
        Assert.Equal("Pneumonia, unspecified organism", condition.Code.Text);
        Assert.Equal("Encounter/" + records[0].RecordId, condition.Encounter.Reference);
        Assert.Equal("Amoxicillin", ((CodeableConcept)request.Medication).Text);
        Assert.Equal("oral", request.DosageInstruction[0].Route.Text);
        Assert.Equal("three times daily", request.DosageInstruction[0].Timing.Code.Text);
        Assert.Equal(7m, request.DispenseRequest.ExpectedSupplyDuration.Value);
        Assert.Equal(EhrSamples.Admission().Note, System.Text.Encoding.UTF8.GetString(note.Content[0].Attachment.Data));
    }

    [Fact]
    public async Task Hash_IsTheSameOnSaveOnReadAndAfterReopeningTheStore()
    {
        var (mpi, records) = await SaveAsync();

        var reread = await node.Stores.Find(Facility)!.RecordsOfAsync(mpi);
        var reopened = new HospitalStore(Facility, node.PathOf(Facility));
        var again = await reopened.ReadAsync(records[1].RecordId);

        Assert.Equal(records.OrderBy(r => r.RecordId).Select(r => r.Hash), reread.OrderBy(r => r.RecordId).Select(r => r.Hash));
        Assert.Equal(records[1].Hash, again.Record!.Hash);
        Assert.Equal(RecordHash.JsonOf(records[1].Fhir), RecordHash.JsonOf(again.Record.Fhir));
    }

    [Fact]
    public async Task Hash_ChangesWhenADiagnosisIsEditedInTheFile()
    {
        var (_, records) = await SaveAsync();

        node.Execute(Facility, "UPDATE diagnoses SET Description = 'Common cold' WHERE Id = $id", ("$id", records[1].RecordId));

        var read = await node.Stores.Find(Facility)!.ReadAsync(records[1].RecordId);
        Assert.NotEqual(records[1].Hash, read.Record!.Hash);
        Assert.Equal(records[0].Hash, (await node.Stores.Find(Facility)!.ReadAsync(records[0].RecordId)).Record!.Hash);
    }

    public static TheoryData<string, Action<AdmissionInput>, string> BadInputs => new()
    {
        { "Type", a => a.Type = "day-case", "Choose inpatient" },
        { "Ward", a => a.Ward = " ", "Ward is required." },
        { "AttendingClinician", a => a.AttendingClinician = null, "Attending clinician is required." },
        { "StartedAt", a => a.StartedAt = null, "Start is required." },
        { "EndedAt", a => a.EndedAt = EhrSamples.Start.AddHours(-1), "End cannot be before start." },
        { "Diagnoses[1].Icd10", a => a.Diagnoses[1].Icd10 = "E1", "Not an ICD-10 code" },
        { "Diagnoses[0].Icd10", a => a.Diagnoses[0].Icd10 = "", "ICD-10 code is required." },
        { "Diagnoses[0].Description", a => a.Diagnoses[0].Description = "", "Description is required." },
        { "Prescriptions[0].Drug", a => a.Prescriptions[0].Drug = "", "Drug is required." },
        { "Prescriptions[0].Route", a => a.Prescriptions[0].Route = "by mouth", "Choose a route." },
        { "Prescriptions[0].DurationDays", a => a.Prescriptions[0].DurationDays = 0, "Duration is 1 to 365 days." },
        { "Prescriptions[0].DurationDays", a => a.Prescriptions[0].DurationDays = null, "Duration is required." },
    };

    [Theory, MemberData(nameof(BadInputs))]
    public async Task RecordAdmission_WithABadField_NamesItAndWritesNothing(string field, Action<AdmissionInput> spoil, string message)
    {
        var input = EhrSamples.Admission();
        spoil(input);
        var before = (node.Count(Facility, "admissions"), node.Count(Facility, "diagnoses"), node.Count(Facility, "patients"));

        var saved = await node.HospitalRecords.RecordAdmissionAsync(Facility, EhrTestNode.NewMpi(), input, "staff");

        Assert.Equal(EhrError.Invalid, saved.Error);
        Assert.Contains(message, saved.FieldMessage(field));
        Assert.Null(saved.Value);
        Assert.Equal(before, (node.Count(Facility, "admissions"), node.Count(Facility, "diagnoses"), node.Count(Facility, "patients")));
    }

    [Fact]
    public async Task RecordAdmission_ForTheSamePatientTwice_KeepsOneMrnAndListsNewestFirst()
    {
        var (mpi, first) = await SaveAsync();
        var later = EhrSamples.Admission();
        later.StartedAt = EhrSamples.Start.AddDays(10);
        later.EndedAt = null;
        later.Note = null;
        var second = await node.HospitalRecords.RecordAdmissionAsync(Facility, mpi, later, "staff");

        var all = await node.Stores.Find(Facility)!.RecordsOfAsync(mpi);

        Assert.Equal(1, node.Execute(Facility, "SELECT COUNT(*) FROM patients WHERE Mpi = $mpi", ("$mpi", mpi)));
        var encounters = all.Where(r => r.Kind == RecordKinds.Encounter).ToList();
        Assert.Equal([second.Value!.Records[0].RecordId, first[0].RecordId], encounters.Select(r => r.RecordId));
        Assert.Equal(first.Count + second.Value!.Records.Count, all.Count);
        Assert.Equal(Encounter.EncounterStatus.InProgress, ((Encounter)encounters[0].Fhir).Status);
    }
}
