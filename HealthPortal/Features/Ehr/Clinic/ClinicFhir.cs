using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr.Clinic;

/// <summary>
/// Clinic visits as FHIR R4, two records per visit and one per allergy:
/// <list type="bullet">
/// <item>kind encounter: a collection Bundle (id = visit id) of the Encounter (complaint as reasonCode) and one
/// vital-signs Observation per measurement taken, so what was measured travels and hashes with the visit;</item>
/// <item>kind note: a DocumentReference with findings, treatment and follow-up as text, so a patient can share
/// that a visit happened and its vitals without sharing the clinician's narrative.</item>
/// </list>
/// <item>kind allergy: one AllergyIntolerance per allergy recorded at the visit (visits saved before allergies
/// existed have none, so their two records hash as before).</item>
/// Needs the visit's patient, vitals and allergies loaded.
/// </summary>
public static class ClinicFhir
{
    public static EhrRecord Encounter(string facilityId, Visit v, TimeZoneInfo? zone = null)
    {
        var mpi = v.Patient.Mpi;
        var encounter = new Encounter
        {
            Id = v.Id,
            Status = Hl7.Fhir.Model.Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"),
            Subject = EhrFhir.Patient(mpi),
            Participant = [new Encounter.ParticipantComponent { Individual = EhrFhir.Person(v.Clinician) }],
            Period = new Period { StartElement = EhrFhir.DateTime(v.SeenAt) },
            ReasonCode = [new CodeableConcept { Text = v.ChiefComplaint }],
            ServiceProvider = EhrFhir.Organization(facilityId),
        };
        var bundle = new Bundle
        {
            Id = v.Id,
            Meta = EhrFhir.Meta(facilityId),
            Type = Bundle.BundleType.Collection,
            Entry = [new Bundle.EntryComponent { FullUrl = FullUrl(facilityId, encounter), Resource = encounter }],
        };
        foreach (var observation in VitalSigns(facilityId, v))
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrl(facilityId, observation), Resource = observation });
        return new(facilityId, v.Id, mpi, RecordKinds.Encounter, EhrFhir.LocalDate(v.SeenAt, zone), $"Visit — {v.ChiefComplaint} ({v.Clinician})", bundle);
    }

    public static EhrRecord Note(string facilityId, Visit v, TimeZoneInfo? zone = null)
    {
        var document = new DocumentReference
        {
            Id = v.NoteId,
            Meta = EhrFhir.Meta(facilityId),
            Status = DocumentReferenceStatus.Current,
            Type = EhrFhir.Loinc("11506-3", "Progress note"),
            Subject = EhrFhir.Patient(v.Patient.Mpi),
            Date = EhrFhir.Instant(v.SeenAt),
            Author = [EhrFhir.Person(v.Clinician)],
            Custodian = EhrFhir.Organization(facilityId),
            Content = [new DocumentReference.ContentComponent { Attachment = EhrFhir.Text("Visit note", NoteText(v)) }],
            Context = new DocumentReference.ContextComponent { Encounter = [new ResourceReference("Encounter/" + v.Id)] },
        };
        return new(facilityId, v.NoteId, v.Patient.Mpi, RecordKinds.Note, EhrFhir.LocalDate(v.SeenAt, zone), $"Visit note — {v.Clinician}", document);
    }

    public static EhrRecord AllergyIntolerance(string facilityId, ClinicAllergy x, TimeZoneInfo? zone = null)
    {
        var v = x.Visit;
        var allergy = Allergies.Fhir(facilityId, x.Id, v.Patient.Mpi, v.Id, v.SeenAt, v.Clinician, x.Substance, x.Category, x.Reaction, x.Severity);
        return new(facilityId, x.Id, v.Patient.Mpi, RecordKinds.Allergy, EhrFhir.LocalDate(v.SeenAt, zone), Allergies.SummaryOf(x.Substance, x.Reaction), allergy);
    }

    public static IEnumerable<EhrRecord> RecordsOf(string facilityId, Visit v, TimeZoneInfo? zone = null) =>
        [Encounter(facilityId, v, zone), Note(facilityId, v, zone), .. v.Allergies.OrderBy(x => x.Position).Select(x => AllergyIntolerance(facilityId, x, zone))];

    public static string NoteText(Visit v)
    {
        var text = new StringBuilder();
        text.Append("Chief complaint: ").Append(v.ChiefComplaint).Append('\n');
        text.Append("Findings: ").Append(v.Findings).Append('\n');
        if (v.Treatment.Length > 0) text.Append("Treatment: ").Append(v.Treatment).Append('\n');
        if (v.FollowUpOn is { } followUp) text.Append("Follow-up: ").Append(followUp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    private static IEnumerable<Observation> VitalSigns(string facilityId, Visit v)
    {
        if (v.Vitals is not { } vitals) yield break;
        if (vitals.Systolic is { } systolic && vitals.Diastolic is { } diastolic)
        {
            var bp = Vital(facilityId, v, "bp", "85354-9", "Blood pressure panel with all children optional");
            bp.Component =
            [
                new Observation.ComponentComponent { Code = EhrFhir.Loinc("8480-6", "Systolic blood pressure"), Value = EhrFhir.Quantity(systolic, "mm[Hg]") },
                new Observation.ComponentComponent { Code = EhrFhir.Loinc("8462-4", "Diastolic blood pressure"), Value = EhrFhir.Quantity(diastolic, "mm[Hg]") },
            ];
            yield return bp;
        }
        if (vitals.Pulse is { } pulse) yield return Valued(Vital(facilityId, v, "pulse", "8867-4", "Heart rate"), EhrFhir.Quantity(pulse, "/min"));
        if (vitals.TemperatureC is { } temperature) yield return Valued(Vital(facilityId, v, "temp", "8310-5", "Body temperature"), EhrFhir.Quantity(temperature, "Cel"));
        if (vitals.WeightKg is { } weight) yield return Valued(Vital(facilityId, v, "weight", "29463-7", "Body weight"), EhrFhir.Quantity(weight, "kg"));
    }

    private static Observation Vital(string facilityId, Visit v, string suffix, string loinc, string display) => new()
    {
        Id = v.Id + "-" + suffix,
        Status = ObservationStatus.Final,
        Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs", null)],
        Code = EhrFhir.Loinc(loinc, display),
        Subject = EhrFhir.Patient(v.Patient.Mpi),
        Encounter = new ResourceReference("Encounter/" + v.Id),
        Effective = EhrFhir.DateTime(v.SeenAt),
        Performer = [EhrFhir.Organization(facilityId)],
    };

    private static Observation Valued(Observation observation, Quantity value)
    {
        observation.Value = value;
        return observation;
    }

    // Entries are named inside the facility's namespace: stable, absolute, and never a server address that could move.
    private static string FullUrl(string facilityId, Resource resource) => $"{EhrFhir.FacilitySystem}:{facilityId}:{resource.TypeName}/{resource.Id}";
}
