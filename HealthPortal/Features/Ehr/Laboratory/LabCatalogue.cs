using System.Globalization;

namespace HealthPortal.Features.Ehr.Laboratory;

/// <summary>
/// A test the laboratory offers: its LOINC code, the UCUM unit it reports in, how many decimals it is reported
/// with, its adult reference interval (either end may be open) and the bounds outside which a value is surely a
/// typing error, not a result.
/// </summary>
public sealed record LabTest(string Loinc, string Name, string Unit, int Decimals, decimal? Low, decimal? High, decimal PlausibleMin, decimal PlausibleMax)
{
    public string RangeText => (Low, High) switch
    {
        ({ } l, { } h) => $"{Format(l)}–{Format(h)} {ReadableUnit}",
        (null, { } h) => $"< {Format(h)} {ReadableUnit}",
        ({ } l, null) => $"> {Format(l)} {ReadableUnit}",
        _ => "",
    };

    /// <summary>The unit as people read it ("×10³/µL"); <see cref="Unit"/> stays the UCUM code the record carries.</summary>
    public string ReadableUnit => Records.ClinicalTerms.Unit(Unit);

    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>L below the interval, H above it, N inside.</summary>
    public static string FlagOf(decimal value, decimal? low, decimal? high) =>
        value < low ? LabFlags.Low : value > high ? LabFlags.High : LabFlags.Normal;

    /// <summary>Parses a typed value as this test reports it; null with a message when it does not fit.</summary>
    public decimal? Parse(string? text, out string? error)
    {
        error = null;
        var t = text?.Trim() ?? "";
        if (t.Length == 0) { error = $"{Name}: a value is required."; return null; }
        if (!decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        { error = $"{Name}: '{t}' is not a number."; return null; }
        if (decimal.Round(value, Decimals) != value)
        { error = Decimals == 0 ? $"{Name} is reported as a whole number." : $"{Name} is reported with at most {Decimals} decimal place{(Decimals == 1 ? "" : "s")}."; return null; }
        if (value < PlausibleMin || value > PlausibleMax)
        { error = $"{Name}: {t} {Unit} is not a plausible result ({Format(PlausibleMin)}–{Format(PlausibleMax)})."; return null; }
        return value;
    }
}

public static class LabFlags
{
    public const string Low = "L";
    public const string Normal = "N";
    public const string High = "H";
}

/// <summary>The laboratory format's built-in catalogue of common tests (adult reference intervals).</summary>
public static class LabCatalogue
{
    public static readonly IReadOnlyList<LabTest> Tests =
    [
        new("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 0, 70, 99, 5, 2000),
        new("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 1, 12.0m, 17.5m, 1, 25),
        new("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 1, 4.0m, 5.6m, 2, 20),
        new("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 1, 3.5m, 5.1m, 1, 10),
        new("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 0, 135, 145, 90, 200),
        new("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 2, 0.60m, 1.30m, 0.05m, 30),
        new("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 0, null, 200, 20, 1000),
        new("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 2, 0.40m, 4.00m, 0, 500),
        new("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 1, 4.0m, 11.0m, 0.1m, 500),
    ];

    public static LabTest? Find(string? loinc) => Tests.FirstOrDefault(t => t.Loinc == loinc);

    public static readonly IReadOnlyList<string> SpecimenTypes = ["serum", "plasma", "whole blood", "urine"];
}
