namespace HealthPortal.Features.Ehr.Hospital;

/// <summary>What the hospital admission form collects. Times are UTC.</summary>
public sealed class AdmissionInput
{
    public string Type { get; set; } = AdmissionTypes.Inpatient;
    public string? Ward { get; set; }
    public string? AttendingClinician { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public List<DiagnosisInput> Diagnoses { get; set; } = [];
    public List<PrescriptionInput> Prescriptions { get; set; } = [];
    public List<AllergyInput> Allergies { get; set; } = [];
    /// <summary>Optional free text; saved as a clinical note record when not empty.</summary>
    public string? Note { get; set; }
}

public sealed class DiagnosisInput
{
    public string? Icd10 { get; set; }
    public string? Description { get; set; }
}

public sealed class PrescriptionInput
{
    public string? Drug { get; set; }
    public string? Dose { get; set; }
    public string? Route { get; set; } = "oral";
    public string? Frequency { get; set; }
    public int? DurationDays { get; set; }

    public static readonly IReadOnlyList<string> Routes = ["oral", "intravenous", "intramuscular", "subcutaneous", "topical", "inhaled", "rectal", "sublingual"];
}
