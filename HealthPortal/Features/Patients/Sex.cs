namespace HealthPortal.Features.Patients;

/// <summary>Stored by name (<c>HasConversion&lt;string&gt;</c>), so values may be added but never renamed.</summary>
public enum Sex
{
    Female,
    Male,
    Other,
    /// <summary>Not known, or the patient prefers not to say: a real answer, never a silent default.</summary>
    Unknown,
}

public static class SexLabels
{
    /// <summary>What a person reads for each value, on forms and profile pages.</summary>
    public static string Label(this Sex sex) => sex switch
    {
        Sex.Female => "Female",
        Sex.Male => "Male",
        Sex.Other => "Other",
        Sex.Unknown => "Unknown / prefer not to say",
        _ => sex.ToString(),
    };
}
