using Hl7.Fhir.Model;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr.Laboratory;

/// <summary>
/// A reported order as one FHIR record (kind lab-result): a DiagnosticReport (id = order id) with its Specimen,
/// the ServiceRequest (who ordered) and one Observation per test contained. Contained rather than bundled: the
/// results have no identity outside their report, and the report is what is anchored, shared and checked.
/// Needs the order's patient and results loaded.
/// </summary>
public static class LaboratoryFhir
{
    public static EhrRecord Report(string facilityId, LabOrder o, TimeZoneInfo? zone = null)
    {
        var mpi = o.Patient.Mpi;
        var results = o.Results.OrderBy(r => r.Position).ToList();
        var specimen = new Specimen
        {
            Id = "specimen",
            Type = new CodeableConcept { Text = o.SpecimenType },
            Subject = EhrFhir.Patient(mpi),
            Collection = new Specimen.CollectionComponent { Collected = EhrFhir.DateTime(o.CollectedAt) },
        };
        var order = new ServiceRequest
        {
            Id = "order",
            Status = RequestStatus.Completed,
            Intent = RequestIntent.Order,
            Code = new CodeableConcept { Text = string.Join(", ", results.Select(r => r.Name)) },
            Subject = EhrFhir.Patient(mpi),
            Requester = EhrFhir.Person(o.OrderingClinician),
            Specimen = [new ResourceReference("#specimen")],
        };
        var observations = results.Select((r, i) => Observation(facilityId, o, r, "r" + (i + 1))).ToList();
        var report = new DiagnosticReport
        {
            Id = o.Id,
            Meta = EhrFhir.Meta(facilityId),
            Contained = [specimen, order, .. observations],
            BasedOn = [new ResourceReference("#order")],
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory", null)],
            Code = results.Count == 1 ? EhrFhir.Loinc(results[0].Loinc, results[0].Name) : EhrFhir.Loinc("11502-2", "Laboratory report"),
            Subject = EhrFhir.Patient(mpi),
            Effective = EhrFhir.DateTime(o.CollectedAt),
            Issued = EhrFhir.Instant(o.ReportedAt!.Value),
            Performer = [EhrFhir.Organization(facilityId)],
            Specimen = [new ResourceReference("#specimen")],
            Result = [.. observations.Select(x => new ResourceReference("#" + x.Id))],
        };
        var abnormal = results.Count(r => r.Flag is LabFlags.Low or LabFlags.High);
        // The readable names ("Hemoglobin A1c (HbA1c)"), not the first word of the LOINC name ("Hemoglobin" for HbA1c too).
        var names = string.Join(", ", results.Select(r => ClinicalTerms.TestName(r.Loinc) ?? r.Name));
        return new(facilityId, o.Id, mpi, RecordKinds.LabResult, EhrFhir.LocalDate(o.CollectedAt, zone),
            $"Lab report: {names}{(abnormal > 0 ? $" ({abnormal} abnormal)" : "")}", report);
    }

    private static Observation Observation(string facilityId, LabOrder o, LabResult r, string id)
    {
        var observation = new Observation
        {
            Id = id,
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory", null)],
            Code = EhrFhir.Loinc(r.Loinc, r.Name),
            Subject = EhrFhir.Patient(o.Patient.Mpi),
            Effective = EhrFhir.DateTime(o.CollectedAt),
            Issued = EhrFhir.Instant(o.ReportedAt!.Value),
            Performer = [EhrFhir.Organization(facilityId)],
            Value = EhrFhir.Quantity(r.Value!.Value, r.Unit),
            Interpretation = [Interpretation(r.Flag)],
            Specimen = new ResourceReference("#specimen"),
        };
        if (r.ReferenceLow is not null || r.ReferenceHigh is not null)
            observation.ReferenceRange =
            [
                new Observation.ReferenceRangeComponent
                {
                    Low = r.ReferenceLow is { } low ? EhrFhir.Quantity(low, r.Unit) : null,
                    High = r.ReferenceHigh is { } high ? EhrFhir.Quantity(high, r.Unit) : null,
                },
            ];
        return observation;
    }

    private static CodeableConcept Interpretation(string? flag) => flag switch
    {
        LabFlags.Low => new(InterpretationSystem, "L", "Low"),
        LabFlags.High => new(InterpretationSystem, "H", "High"),
        _ => new(InterpretationSystem, "N", "Normal"),
    };

    private const string InterpretationSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
}
