using Hl7.Fhir.Model;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr.Hospital;

/// <summary>
/// Hospital rows as FHIR R4. One admission is several records, so a patient can share the encounter without its
/// diagnoses: the admission is an Encounter (kind encounter), each diagnosis a Condition (diagnosis), each
/// prescription a MedicationRequest (prescription), each allergy an AllergyIntolerance (allergy), the note a DocumentReference with the text as an attachment
/// (note). The pieces point at the Encounter; the Encounter does not list them, so adding a record never changes
/// the hash of one that is anchored already. Needs the admission's patient loaded.
/// </summary>
public static class HospitalFhir
{
    public static EhrRecord Encounter(string facilityId, Admission a, TimeZoneInfo? zone = null)
    {
        var encounter = new Encounter
        {
            Id = a.Id,
            Meta = EhrFhir.Meta(facilityId),
            Status = a.EndedAt is null ? Hl7.Fhir.Model.Encounter.EncounterStatus.InProgress : Hl7.Fhir.Model.Encounter.EncounterStatus.Finished,
            Class = ClassOf(a.Type),
            Subject = EhrFhir.Patient(a.Patient.Mpi),
            Participant = [new Encounter.ParticipantComponent { Individual = EhrFhir.Person(a.AttendingClinician) }],
            Period = new Period { StartElement = EhrFhir.DateTime(a.StartedAt), EndElement = a.EndedAt is { } end ? EhrFhir.DateTime(end) : null },
            ServiceProvider = EhrFhir.Organization(facilityId),
        };
        if (a.Ward.Length > 0) encounter.Location = [new Encounter.LocationComponent { Location = new ResourceReference { Display = a.Ward } }];
        var ward = a.Ward.Length > 0 ? $", {a.Ward}" : "";
        return new(facilityId, a.Id, a.Patient.Mpi, RecordKinds.Encounter, EhrFhir.LocalDate(a.StartedAt, zone),
            $"Admission ({a.Type}){ward} — {a.AttendingClinician}", encounter);
    }

    public static EhrRecord Condition(string facilityId, Diagnosis d, TimeZoneInfo? zone = null)
    {
        var a = d.Admission;
        var condition = new Condition
        {
            Id = d.Id,
            Meta = EhrFhir.Meta(facilityId),
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis", null)],
            Code = new CodeableConcept(Icd10.System, d.Icd10, d.Description, d.Description),
            Subject = EhrFhir.Patient(a.Patient.Mpi),
            Encounter = new ResourceReference("Encounter/" + a.Id),
            RecordedDate = EhrFhir.Date(a.StartedAt),
            Asserter = EhrFhir.Person(a.AttendingClinician),
        };
        return new(facilityId, d.Id, a.Patient.Mpi, RecordKinds.Diagnosis, EhrFhir.LocalDate(a.StartedAt, zone), $"{d.Icd10} {d.Description}", condition);
    }

    public static EhrRecord MedicationRequest(string facilityId, Prescription p, TimeZoneInfo? zone = null)
    {
        var a = p.Admission;
        var request = new MedicationRequest
        {
            Id = p.Id,
            Meta = EhrFhir.Meta(facilityId),
            Status = Hl7.Fhir.Model.MedicationRequest.MedicationrequestStatus.Active,
            Intent = Hl7.Fhir.Model.MedicationRequest.MedicationRequestIntent.Order,
            Medication = new CodeableConcept { Text = p.Drug },
            Subject = EhrFhir.Patient(a.Patient.Mpi),
            Encounter = new ResourceReference("Encounter/" + a.Id),
            AuthoredOnElement = EhrFhir.DateTime(a.StartedAt),
            Requester = EhrFhir.Person(a.AttendingClinician),
            DosageInstruction =
            [
                new Dosage
                {
                    Text = DosageText(p),
                    Route = new CodeableConcept { Text = p.Route },
                    Timing = new Timing { Code = new CodeableConcept { Text = p.Frequency } },
                },
            ],
            DispenseRequest = new MedicationRequest.DispenseRequestComponent
            {
                ExpectedSupplyDuration = new Duration { Value = p.DurationDays, Unit = "days", System = EhrFhir.Ucum, Code = "d" },
            },
        };
        return new(facilityId, p.Id, a.Patient.Mpi, RecordKinds.Prescription, EhrFhir.LocalDate(a.StartedAt, zone), $"{p.Drug} — {DosageText(p)}", request);
    }

    public static EhrRecord DocumentReference(string facilityId, ClinicalNote n, TimeZoneInfo? zone = null)
    {
        var a = n.Admission;
        var document = new DocumentReference
        {
            Id = n.Id,
            Meta = EhrFhir.Meta(facilityId),
            Status = DocumentReferenceStatus.Current,
            Type = EhrFhir.Loinc("11506-3", "Progress note"),
            Subject = EhrFhir.Patient(a.Patient.Mpi),
            Date = EhrFhir.Instant(n.WrittenAt),
            Author = [EhrFhir.Person(n.Author)],
            Custodian = EhrFhir.Organization(facilityId),
            Content = [new DocumentReference.ContentComponent { Attachment = EhrFhir.Text("Clinical note", n.Text) }],
            Context = new DocumentReference.ContextComponent { Encounter = [new ResourceReference("Encounter/" + a.Id)] },
        };
        return new(facilityId, n.Id, a.Patient.Mpi, RecordKinds.Note, EhrFhir.LocalDate(n.WrittenAt, zone), $"Clinical note — {n.Author}", document);
    }

    public static EhrRecord AllergyIntolerance(string facilityId, HospitalAllergy x, TimeZoneInfo? zone = null)
    {
        var a = x.Admission;
        var allergy = Allergies.Fhir(facilityId, x.Id, a.Patient.Mpi, a.Id, a.StartedAt, a.AttendingClinician, x.Substance, x.Category, x.Reaction, x.Severity);
        return new(facilityId, x.Id, a.Patient.Mpi, RecordKinds.Allergy, EhrFhir.LocalDate(a.StartedAt, zone), Allergies.SummaryOf(x.Substance, x.Reaction), allergy);
    }

    /// <summary>Every record of one admission, encounter first.</summary>
    public static IEnumerable<EhrRecord> RecordsOf(string facilityId, Admission a, TimeZoneInfo? zone = null) =>
    [
        Encounter(facilityId, a, zone),
        .. a.Diagnoses.OrderBy(d => d.Position).Select(d => Condition(facilityId, d, zone)),
        .. a.Prescriptions.OrderBy(p => p.Position).Select(p => MedicationRequest(facilityId, p, zone)),
        .. a.Notes.OrderBy(n => n.Id, StringComparer.Ordinal).Select(n => DocumentReference(facilityId, n, zone)),
        .. a.Allergies.OrderBy(x => x.Position).Select(x => AllergyIntolerance(facilityId, x, zone)),
    ];

    private static string DosageText(Prescription p) => $"{p.Dose} {p.Route} {p.Frequency} for {p.DurationDays} day{(p.DurationDays == 1 ? "" : "s")}";

    private static Coding ClassOf(string type) => type switch
    {
        AdmissionTypes.Inpatient => new Coding(ActCode, "IMP", "inpatient encounter"),
        AdmissionTypes.Emergency => new Coding(ActCode, "EMER", "emergency"),
        _ => new Coding(ActCode, "AMB", "ambulatory"),
    };

    private const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
}
