using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>Valid inputs of each form; tests break one field at a time.</summary>
public static class EhrSamples
{
    public static readonly DateTime Start = new(2026, 3, 2, 8, 30, 0, DateTimeKind.Utc);

    public static AdmissionInput Admission() => new()
    {
        Type = AdmissionTypes.Inpatient,
        Ward = "Ward 3",
        AttendingClinician = "Dr. Okafor",
        StartedAt = Start,
        EndedAt = Start.AddDays(3),
        Diagnoses =
        [
            new() { Icd10 = "j18.9", Description = "Pneumonia, unspecified organism" },
            new() { Icd10 = "E11", Description = "Type 2 diabetes mellitus" },
        ],
        Prescriptions = [new() { Drug = "Amoxicillin", Dose = "500 mg", Route = "oral", Frequency = "three times daily", DurationDays = 7 }],
        Note = "Admitted with fever and productive cough.\nImproving on antibiotics.",
    };

    /// <summary>Whole-number vitals only: its hash does not depend on decimal canonicalization.</summary>
    public static VisitInput Visit() => new()
    {
        SeenAt = Start,
        Clinician = "Dr. Hnin",
        ChiefComplaint = "Headache for three days",
        Findings = "Tension-type headache; neurological exam normal.",
        Treatment = "Paracetamol 1 g as needed; rest.",
        FollowUpOn = new DateOnly(2026, 3, 16),
        Systolic = 128,
        Diastolic = 84,
        Pulse = 72,
    };

    public static VisitInput VisitWithDecimals()
    {
        var visit = Visit();
        visit.TemperatureC = 37.4m;
        visit.WeightKg = 61.5m;
        return visit;
    }

    public static LabOrderInput Order(params string[] loinc) => new()
    {
        OrderingClinician = "Dr. Kyaw",
        SpecimenType = "serum",
        CollectedAt = Start,
        Tests = loinc.Length == 0 ? ["2345-7", "2951-2", "2093-3"] : [.. loinc],
    };

    public static Dictionary<string, LabValueInput> Values(params (string Loinc, string Value)[] values) =>
        values.ToDictionary(v => v.Loinc, v => new LabValueInput { Value = v.Value, Unit = LabCatalogue.Find(v.Loinc)!.Unit });
}
