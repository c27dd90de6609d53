namespace HealthPortal.Features.Ehr.Laboratory;

/// <summary>What the order form collects: who asked, which specimen, when collected (UTC), which tests (LOINC codes).</summary>
public sealed class LabOrderInput
{
    public string? OrderingClinician { get; set; }
    public string? SpecimenType { get; set; } = "serum";
    public DateTime? CollectedAt { get; set; }
    public List<string> Tests { get; set; } = [];
}

/// <summary>One entered result: the value as typed and the unit it was typed in (must be the catalogue's).</summary>
public sealed class LabValueInput
{
    public string? Value { get; set; }
    public string? Unit { get; set; }
}
