// FHIR POCO elements are all optional (nullable); these tests navigate what the mapping is known to set.
#nullable disable warnings
using Hl7.Fhir.Model;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>Allergies in the hospital and clinic formats: one AllergyIntolerance record each, valid R4, hashed like any record, and no change to records without them.</summary>
public sealed class AllergyTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private static AllergyInput Penicillin() => new() { Substance = "Penicillin", Category = AllergyCategories.Medication, Reaction = "Hives", Severity = "moderate" };

    [Fact]
    public async Task Hospital_AdmissionWithAllergies_WritesOneAllergyRecordEach_ReadBackWithTheSameHash()
    {
        var mpi = EhrTestNode.NewMpi();
        var input = EhrSamples.Admission();
        input.Allergies = [Penicillin(), new() { Substance = "Latex", Category = AllergyCategories.Environment }];

        var saved = await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, mpi, input, "staff");

        Assert.True(saved.IsOk, saved.ToString());
        var allergies = saved.Value!.Records.Where(r => r.Kind == RecordKinds.Allergy).ToList();
        Assert.Equal(2, allergies.Count);
        Assert.All(allergies, r => Assert.StartsWith("alg-", r.RecordId));
        var penicillin = Assert.IsType<AllergyIntolerance>(allergies[0].Fhir);
        Assert.Equal("Penicillin", penicillin.Code.Text);
        Assert.Equal([AllergyIntolerance.AllergyIntoleranceCategory.Medication], penicillin.Category.Select(c => c!.Value));
        Assert.Equal("Hives", penicillin.Reaction.Single().Manifestation.Single().Text);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceSeverity.Moderate, penicillin.Reaction.Single().Severity);
        Assert.Equal(mpi, penicillin.Patient.Identifier.Value);
        Assert.Equal("Allergy: Penicillin (Hives)", allergies[0].Summary);
        // Latex has no reaction recorded: no reaction element (its manifestation would be required).
        Assert.Empty(((AllergyIntolerance)allergies[1].Fhir).Reaction);

        foreach (var record in allergies)
        {
            var read = await node.Stores.Find(EhrTestNode.Hospital)!.ReadAsync(record.RecordId);
            Assert.Equal(EhrReadStatus.Found, read.Status);
            Assert.Equal(record.Hash, read.Record!.Hash);
            Assert.Empty(FhirValidation.ErrorsOf(read.Record.Fhir));
        }
        var listed = await node.Stores.Find(EhrTestNode.Hospital)!.RecordsOfAsync(mpi);
        Assert.Equal(2, listed.Count(r => r.Kind == RecordKinds.Allergy));
    }

    [Fact]
    public async Task Clinic_VisitWithAnAllergy_WritesItAsItsOwnRecord_ValidR4()
    {
        var mpi = EhrTestNode.NewMpi();
        var input = EhrSamples.Visit();
        input.Allergies = [new() { Substance = "Peanuts", Category = AllergyCategories.Food, Reaction = "Lip swelling", Severity = "severe" }];

        var saved = await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, mpi, input, "staff");

        Assert.True(saved.IsOk, saved.ToString());
        Assert.Equal([RecordKinds.Encounter, RecordKinds.Note, RecordKinds.Allergy], saved.Value!.Records.Select(r => r.Kind));
        var allergy = saved.Value.Records[2];
        var read = await node.Stores.Find(EhrTestNode.Clinic)!.ReadAsync(allergy.RecordId);
        Assert.Equal(allergy.Hash, read.Record!.Hash);
        var fhir = Assert.IsType<AllergyIntolerance>(read.Record.Fhir);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceSeverity.Severe, fhir.Reaction.Single().Severity);
        Assert.Equal("Encounter/" + saved.Value.Records[0].RecordId, fhir.Encounter.Reference);
        Assert.Empty(FhirValidation.ErrorsOf(fhir));
    }

    [Fact]
    public void AddingAnAllergy_LeavesTheHashesOfTheOtherRecordsOfTheVisitAsTheyWere()
    {
        // The same rows with and without an allergy: the encounter, diagnosis and note are the same bytes, so anchors
        // made before allergies existed keep verifying.
        static HealthPortal.Features.Ehr.Hospital.Admission Admission(bool withAllergy)
        {
            var a = new HealthPortal.Features.Ehr.Hospital.Admission
            {
                Id = "adm-fixed", Patient = new HospitalPatient { Mrn = "H0000001", Mpi = "MPI-TEST" }, Type = AdmissionTypes.Inpatient, Ward = "Ward 3",
                AttendingClinician = "Dr. Okafor", StartedAt = EhrSamples.Start,
            };
            a.Diagnoses.Add(new Diagnosis { Id = "dx-fixed", Admission = a, Icd10 = "J18.9", Description = "Pneumonia" });
            a.Notes.Add(new ClinicalNote { Id = "note-fixed", Admission = a, Author = "Dr. Okafor", WrittenAt = EhrSamples.Start, Text = "Improving." });
            if (withAllergy) a.Allergies.Add(new HospitalAllergy { Id = "alg-fixed", Admission = a, Substance = "Penicillin", Category = AllergyCategories.Medication });
            return a;
        }

        var before = HospitalFhir.RecordsOf("demo-riverside", Admission(false)).ToList();
        var after = HospitalFhir.RecordsOf("demo-riverside", Admission(true)).ToList();

        Assert.Equal(before.Select(r => (r.RecordId, r.Hash)), after.Where(r => r.Kind != RecordKinds.Allergy).Select(r => (r.RecordId, r.Hash)));
        Assert.DoesNotContain("llerg", RecordHash.JsonOf(before[0].Fhir), StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string, Action<AllergyInput>, string> BadAllergies => new()
    {
        { "Allergies[0].Substance", a => a.Substance = " ", "Substance is required." },
        { "Allergies[0].Substance", a => a.Substance = new string('x', 201), "Substance is at most 200 characters." },
        { "Allergies[0].Category", a => a.Category = "drug", "Choose medication, food, environment or biologic." },
        { "Allergies[0].Severity", a => a.Severity = "fatal", "Choose mild, moderate or severe." },
        { "Allergies[0].Reaction", a => (a.Reaction, a.Severity) = ("", "severe"), "Describe the reaction whose severity is given." },
    };

    [Theory, MemberData(nameof(BadAllergies))]
    public async Task BadAllergy_IsNamedBesideItsField_AndNothingIsWritten(string field, Action<AllergyInput> spoil, string message)
    {
        var mpi = EhrTestNode.NewMpi();
        var admission = EhrSamples.Admission();
        var allergy = Penicillin();
        spoil(allergy);
        admission.Allergies = [allergy];
        var visit = EhrSamples.Visit();
        visit.Allergies = [allergy];

        var hospital = await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, mpi, admission, "staff");
        var clinic = await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, mpi, visit, "staff");

        Assert.Equal(message, hospital.FieldMessage(field));
        Assert.Equal(message, clinic.FieldMessage(field));
        Assert.Empty(await node.Stores.Find(EhrTestNode.Hospital)!.RecordsOfAsync(mpi));
        Assert.Empty(await node.Stores.Find(EhrTestNode.Clinic)!.RecordsOfAsync(mpi));
    }
}
