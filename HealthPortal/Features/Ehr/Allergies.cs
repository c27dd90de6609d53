using Hl7.Fhir.Model;
using HealthPortal.Features.Forms;

namespace HealthPortal.Features.Ehr;

/// <summary>One allergy or intolerance as the hospital and clinic forms collect it.</summary>
public sealed class AllergyInput
{
    public string? Substance { get; set; }
    public string Category { get; set; } = AllergyCategories.Medication;
    /// <summary>What happened (rash, wheeze, anaphylaxis); optional when only the allergy is known.</summary>
    public string? Reaction { get; set; }
    /// <summary>mild, moderate or severe: the severity of <see cref="Reaction"/>, so it needs one.</summary>
    public string? Severity { get; set; }
}

public static class AllergyCategories
{
    public const string Medication = "medication";
    public const string Food = "food";
    public const string Environment = "environment";
    public const string Biologic = "biologic";

    public static readonly IReadOnlyList<string> All = [Medication, Food, Environment, Biologic];

    public static readonly IReadOnlyList<string> Severities = ["mild", "moderate", "severe"];
}

/// <summary>
/// The allergy fields both formats store, their validation and their FHIR R4 form. Each allergy is its own record
/// (kind allergy), so adding one never changes the hash of an encounter, diagnosis or note anchored before allergies
/// existed, and a patient can share allergies with an emergency team without sharing anything else.
/// </summary>
public static class Allergies
{
    public const int SubstanceMax = 200;
    public const int ReactionMax = 200;

    /// <summary>The allergy's stored fields after validation; errors go under <c>{prefix}[i].Field</c>.</summary>
    public sealed record Valid(string Substance, string Category, string Reaction, string Severity);

    public static List<Valid> Validate(FieldErrors e, IReadOnlyList<AllergyInput> inputs, string prefix = "Allergies")
    {
        var valid = new List<Valid>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var a = inputs[i];
            var field = $"{prefix}[{i}].";
            var substance = e.Required(field + nameof(a.Substance), a.Substance, "Substance", SubstanceMax);
            if (!AllergyCategories.All.Contains(a.Category)) e.Add(field + nameof(a.Category), "Choose medication, food, environment or biologic.");
            var reaction = e.Optional(field + nameof(a.Reaction), a.Reaction, "Reaction", ReactionMax);
            var severity = a.Severity?.Trim() ?? "";
            if (severity.Length > 0 && !AllergyCategories.Severities.Contains(severity)) e.Add(field + nameof(a.Severity), "Choose mild, moderate or severe.");
            else if (severity.Length > 0 && reaction.Length == 0) e.Add(field + nameof(a.Reaction), "Describe the reaction whose severity is given.");
            valid.Add(new Valid(substance, a.Category, reaction, severity));
        }
        return valid;
    }

    /// <summary>
    /// The allergy as FHIR. Only stored fields and the visit's own time and clinician go in (never the clock), so the
    /// same row always gives the same hash.
    /// </summary>
    public static AllergyIntolerance Fhir(string facilityId, string id, string mpi, string encounterId, DateTime recordedAt, string clinician,
        string substance, string category, string reaction, string severity)
    {
        var allergy = new AllergyIntolerance
        {
            Id = id,
            Meta = EhrFhir.Meta(facilityId),
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active", null),
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed", null),
            Category = [CategoryOf(category)],
            Code = new CodeableConcept { Text = substance },
            Patient = EhrFhir.Patient(mpi),
            Encounter = new ResourceReference("Encounter/" + encounterId),
            RecordedDateElement = EhrFhir.DateTime(recordedAt),
            Recorder = EhrFhir.Person(clinician),
        };
        if (reaction.Length > 0)
        {
            var r = new AllergyIntolerance.ReactionComponent { Manifestation = [new CodeableConcept { Text = reaction }] };
            if (severity.Length > 0) r.Severity = SeverityOf(severity);
            allergy.Reaction = [r];
        }
        return allergy;
    }

    /// <summary>"1 allergy", "2 allergies".</summary>
    public static string Count(int n) => n == 1 ? "1 allergy" : $"{n} allergies";

    public static string SummaryOf(string substance, string reaction) =>
        reaction.Length > 0 ? $"Allergy: {substance} ({reaction})" : $"Allergy: {substance}";

    private static AllergyIntolerance.AllergyIntoleranceCategory CategoryOf(string category) => category switch
    {
        AllergyCategories.Food => AllergyIntolerance.AllergyIntoleranceCategory.Food,
        AllergyCategories.Environment => AllergyIntolerance.AllergyIntoleranceCategory.Environment,
        AllergyCategories.Biologic => AllergyIntolerance.AllergyIntoleranceCategory.Biologic,
        _ => AllergyIntolerance.AllergyIntoleranceCategory.Medication,
    };

    private static AllergyIntolerance.AllergyIntoleranceSeverity SeverityOf(string severity) => severity switch
    {
        "severe" => AllergyIntolerance.AllergyIntoleranceSeverity.Severe,
        "moderate" => AllergyIntolerance.AllergyIntoleranceSeverity.Moderate,
        _ => AllergyIntolerance.AllergyIntoleranceSeverity.Mild,
    };
}
