using Hl7.Fhir.Model;

namespace HealthPortal.Features.Records;

/// <summary>
/// Words people read for codes the records carry. A record keeps the coded form (LOINC long names, UCUM codes)
/// because that is what is hashed and exchanged; pages show these instead: "Hemoglobin A1c", not the first word of
/// "Hemoglobin A1c/Hemoglobin.total in Blood"; "×10³/µL", not "10*3/uL". A code not in the maps shows as coded.
/// </summary>
public static class ClinicalTerms
{
    private static readonly Dictionary<string, string> LoincNames = new(StringComparer.Ordinal)
    {
        // Laboratory catalogue (Features/Ehr/Laboratory/LabCatalogue).
        ["2345-7"] = "Glucose",
        ["718-7"] = "Hemoglobin",
        ["4548-4"] = "Hemoglobin A1c (HbA1c)",
        ["2823-3"] = "Potassium",
        ["2951-2"] = "Sodium",
        ["2160-0"] = "Creatinine",
        ["2093-3"] = "Total cholesterol",
        ["3016-3"] = "Thyroid-stimulating hormone (TSH)",
        ["6690-2"] = "White blood cells (leukocytes)",
        ["11502-2"] = "Laboratory report",
        // Clinic vital signs (Features/Ehr/Clinic/ClinicFhir).
        ["85354-9"] = "Blood pressure",
        ["8480-6"] = "Systolic blood pressure",
        ["8462-4"] = "Diastolic blood pressure",
        ["8867-4"] = "Heart rate",
        ["8310-5"] = "Body temperature",
        ["29463-7"] = "Body weight",
    };

    private static readonly Dictionary<string, string> UcumUnits = new(StringComparer.Ordinal)
    {
        ["10*3/uL"] = "×10³/µL",
        ["10*6/uL"] = "×10⁶/µL",
        ["10*9/L"] = "×10⁹/L",
        ["10*12/L"] = "×10¹²/L",
        ["mm[Hg]"] = "mmHg",
        ["Cel"] = "°C",
        ["[degF]"] = "°F",
        ["/min"] = "/min",
        ["m[IU]/L"] = "mIU/L",
        ["u[IU]/mL"] = "µIU/mL",
        ["[IU]/L"] = "IU/L",
        ["ug/dL"] = "µg/dL",
        ["ug/L"] = "µg/L",
        ["umol/L"] = "µmol/L",
        ["uL"] = "µL",
        ["[in_i]"] = "in",
        ["[lb_av]"] = "lb",
        ["d"] = "days",
        ["wk"] = "weeks",
        ["mo"] = "months",
        ["a"] = "years",
    };

    public const string LoincSystem = "http://loinc.org";
    public const string UcumSystem = "http://unitsofmeasure.org";

    /// <summary>The readable name of a LOINC-coded test, else the concept's own text.</summary>
    public static string? TestName(CodeableConcept? concept)
    {
        var loinc = concept?.Coding.FirstOrDefault(c => c.System == LoincSystem && c.Code is not null)?.Code;
        return loinc is not null && LoincNames.TryGetValue(loinc, out var name) ? name : FhirFormat.Text(concept);
    }

    /// <summary>The readable name of a LOINC code, or null when it has none here.</summary>
    public static string? TestName(string? loinc) => loinc is not null && LoincNames.TryGetValue(loinc, out var name) ? name : null;

    /// <summary>The readable form of a UCUM unit code ("10*3/uL" → "×10³/µL"); other units as given.</summary>
    public static string Unit(string unit) => UcumUnits.TryGetValue(unit, out var readable) ? readable : unit;

    /// <summary>
    /// The unit of a quantity as people read it. The stores set <c>unit</c> to the UCUM code, so a UCUM quantity
    /// is read through the map; a quantity whose unit is its own words is shown as it is.
    /// </summary>
    public static string? UnitOf(Quantity quantity)
    {
        if (quantity.System == UcumSystem && quantity.Code is { Length: > 0 } code && (quantity.Unit is null || quantity.Unit == code))
            return Unit(code);
        return quantity.Unit ?? quantity.Code;
    }
}
