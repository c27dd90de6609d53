using Hl7.Fhir.Model;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>
/// Records in the FHIR forms the facility stores serve, with the details the common view must show. (The stores' own
/// tests cover hashing decimals; these samples feed the timeline and view tests.)
/// </summary>
public static class SampleFhir
{
    public const string Icd10 = "http://hl7.org/fhir/sid/icd-10";
    public const string Loinc = "http://loinc.org";

    private static ResourceReference Patient(string mpi) => new() { Identifier = new Identifier("urn:healthportal:mpi", mpi) };

    public static Encounter Encounter(string mpi, string id = "enc-1") => new()
    {
        Id = id,
        Status = Hl7.Fhir.Model.Encounter.EncounterStatus.Finished,
        Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter"),
        Type = [new CodeableConcept(null, null, "Admission")],
        Subject = Patient(mpi),
        Period = new Period(new FhirDateTime(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), new FhirDateTime(2026, 3, 5, 11, 30, 0, TimeSpan.Zero)),
        Location = [new Hl7.Fhir.Model.Encounter.LocationComponent { Location = new ResourceReference { Display = "Ward 3" } }],
        Participant = [new Hl7.Fhir.Model.Encounter.ParticipantComponent { Individual = new ResourceReference { Display = "Dr Okafor" } }],
    };

    public static Condition Condition(string mpi, string id = "dx-1") => new()
    {
        Id = id,
        Code = new CodeableConcept(Icd10, "I10", "Essential (primary) hypertension"),
        ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
        Subject = Patient(mpi),
        RecordedDate = "2026-03-02",
    };

    public static MedicationRequest Prescription(string mpi, string id = "rx-1") => new()
    {
        Id = id,
        Status = MedicationRequest.MedicationrequestStatus.Active,
        Intent = MedicationRequest.MedicationRequestIntent.Order,
        Medication = new CodeableConcept(null, null, "Amlodipine 5 mg tablet"),
        Subject = Patient(mpi),
        AuthoredOn = "2026-03-05",
        DosageInstruction =
        [
            new Dosage
            {
                Text = "Take with water",
                Route = new CodeableConcept("http://snomed.info/sct", "26643006", "Oral"),
                Timing = new Timing
                {
                    Repeat = new Timing.RepeatComponent
                    {
                        Frequency = 2, Period = 1, PeriodUnit = Timing.UnitsOfTime.D,
                        Bounds = new Duration { Value = 30, Unit = "days", System = "http://unitsofmeasure.org", Code = "d" },
                    },
                },
                DoseAndRate = [new Dosage.DoseAndRateComponent { Dose = new Quantity(1, "tablet") }],
            },
        ],
    };

    public static Observation Glucose(string mpi, string id = "obs-glucose", decimal value = 8) => new()
    {
        Id = id,
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(Loinc, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
        Subject = Patient(mpi),
        Effective = new FhirDateTime(2026, 3, 3, 8, 0, 0, TimeSpan.Zero),
        Value = new Quantity(value, "mmol/L"),
        ReferenceRange = [new Observation.ReferenceRangeComponent { Low = new Quantity(4, "mmol/L"), High = new Quantity(6, "mmol/L") }],
        Interpretation = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H", "High")],
    };

    public static Observation Potassium(string mpi, string id = "obs-k") => new()
    {
        Id = id,
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(Loinc, "2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
        Subject = Patient(mpi),
        Value = new Quantity(4, "mmol/L"),
        ReferenceRange = [new Observation.ReferenceRangeComponent { Low = new Quantity(3, "mmol/L"), High = new Quantity(5, "mmol/L") }],
        Interpretation = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N", "Normal")],
    };

    public static DocumentReference Note(string mpi, string id = "note-1") => new()
    {
        Id = id,
        Status = DocumentReferenceStatus.Current,
        Type = new CodeableConcept(Loinc, "11506-3", "Progress note"),
        Subject = Patient(mpi),
        Date = new DateTimeOffset(2026, 3, 4, 10, 0, 0, TimeSpan.Zero),
        Author = [new ResourceReference { Display = "Dr Okafor" }],
        Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain", Data = "Blood pressure settling on amlodipine."u8.ToArray() } }],
    };

    /// <summary>A laboratory's result: the report and its observations in one collection Bundle.</summary>
    public static Bundle LabReport(string mpi, string id = "lab-1")
    {
        var glucose = Glucose(mpi);
        var potassium = Potassium(mpi);
        var report = new DiagnosticReport
        {
            Id = "rep-1",
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept(Loinc, "24323-8", "Comprehensive metabolic panel"),
            Subject = Patient(mpi),
            Issued = new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero),
            Conclusion = "Raised fasting glucose.",
            Result = [new ResourceReference("urn:uuid:2f1e6f0a-0000-4000-8000-000000000001"), new ResourceReference("urn:uuid:2f1e6f0a-0000-4000-8000-000000000002")],
        };
        return new Bundle
        {
            Id = id,
            Type = Bundle.BundleType.Collection,
            Entry =
            [
                new Bundle.EntryComponent { FullUrl = "urn:uuid:2f1e6f0a-0000-4000-8000-000000000000", Resource = report },
                new Bundle.EntryComponent { FullUrl = "urn:uuid:2f1e6f0a-0000-4000-8000-000000000001", Resource = glucose },
                new Bundle.EntryComponent { FullUrl = "urn:uuid:2f1e6f0a-0000-4000-8000-000000000002", Resource = potassium },
            ],
        };
    }

    /// <summary>A clinic visit: the encounter and its vital signs.</summary>
    public static Bundle ClinicVisit(string mpi, string id = "visit-1")
    {
        var pressure = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(Loinc, "85354-9", "Blood pressure panel"),
            Subject = Patient(mpi),
            Component =
            [
                new Observation.ComponentComponent { Code = new CodeableConcept(Loinc, "8480-6", "Systolic blood pressure"), Value = new Quantity(142, "mmHg") },
                new Observation.ComponentComponent { Code = new CodeableConcept(Loinc, "8462-4", "Diastolic blood pressure"), Value = new Quantity(91, "mmHg") },
            ],
        };
        return new Bundle
        {
            Id = id,
            Type = Bundle.BundleType.Collection,
            Entry =
            [
                new Bundle.EntryComponent { FullUrl = "urn:uuid:7c0d0b1e-0000-4000-8000-000000000000", Resource = Encounter(mpi, "visit-enc") },
                new Bundle.EntryComponent { FullUrl = "urn:uuid:7c0d0b1e-0000-4000-8000-000000000001", Resource = pressure },
            ],
        };
    }
}
