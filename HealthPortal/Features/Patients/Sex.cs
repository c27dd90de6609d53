using HealthPortal.Features.Words;

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
    // Words in SexLabels.resx / SexLabels.my.resx beside this file, read by the reader's UI culture.
    private static readonly ResourceWords Texts = new(typeof(SexLabels));

    /// <summary>What a person reads for each value, on forms and profile pages, in their language.</summary>
    public static string Label(this Sex sex) => sex switch
    {
        Sex.Female or Sex.Male or Sex.Other or Sex.Unknown =>
            Texts.Find(sex.ToString()) ?? sex.ToString(),
        _ => sex.ToString(),
    };
}
