namespace HealthPortal.Features.Ehr.Clinic;

/// <summary>What the clinic visit form collects. Times are UTC; every vital sign is optional.</summary>
public sealed class VisitInput
{
    public DateTime? SeenAt { get; set; }
    public string? Clinician { get; set; }
    public string? ChiefComplaint { get; set; }
    public string? Findings { get; set; }
    public string? Treatment { get; set; }
    public DateOnly? FollowUpOn { get; set; }
    public int? Systolic { get; set; }
    public int? Diastolic { get; set; }
    public int? Pulse { get; set; }
    public decimal? TemperatureC { get; set; }
    public decimal? WeightKg { get; set; }
    public List<AllergyInput> Allergies { get; set; } = [];
}
