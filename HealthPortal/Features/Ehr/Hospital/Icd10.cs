using System.Text.RegularExpressions;

namespace HealthPortal.Features.Ehr.Hospital;

/// <summary>
/// The shape of an ICD-10 (WHO) code: a chapter letter, two digits, and optionally a dot and up to four more
/// characters ("J18.9", "E11", "S72.00"). Only the shape is checked: the stores carry no code list.
/// </summary>
public static partial class Icd10
{
    public const string System = "http://hl7.org/fhir/sid/icd-10";

    [GeneratedRegex("^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$")]
    private static partial Regex Pattern();

    /// <summary>Upper-cased and trimmed; null when it is not an ICD-10 code.</summary>
    public static string? Normalize(string? code)
    {
        var c = code?.Trim().ToUpperInvariant() ?? "";
        return Pattern().IsMatch(c) ? c : null;
    }
}
