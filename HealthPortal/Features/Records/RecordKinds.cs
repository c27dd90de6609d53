using System.Globalization;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Records;

/// <summary>
/// The kinds of record the portal anchors, which are also the ledger categories a grant covers. One saved visit can
/// produce several records (an encounter, its diagnoses, prescriptions and note) so that a patient can share the
/// encounter without sharing the diagnoses.
/// </summary>
public static class RecordKinds
{
    public const string Encounter = "encounter";
    public const string Diagnosis = "diagnosis";
    public const string Prescription = "prescription";
    public const string LabResult = "lab-result";
    public const string Note = "note";
    /// <summary>An allergy or intolerance recorded at a hospital or clinic visit (FHIR AllergyIntolerance).</summary>
    public const string Allergy = "allergy";

    public static readonly IReadOnlyList<string> All = [Encounter, Diagnosis, Prescription, LabResult, Note, Allergy];

    public static bool IsKnown(string kind) => All.Contains(kind);

    /// <summary>The plural label used in grants and filters ("Lab results").</summary>
    public static string Label(string kind) => kind switch
    {
        Encounter => "Encounters",
        Diagnosis => "Diagnoses",
        Prescription => "Prescriptions",
        LabResult => "Lab results",
        Note => "Clinical notes",
        Allergy => "Allergies",
        HealthPortal.Ledger.Transactions.Categories.All => "All records",
        _ => kind,
    };

    /// <summary>The singular label used on one record ("Lab result").</summary>
    public static string SingularLabel(string kind) => kind switch
    {
        Encounter => "Encounter",
        Diagnosis => "Diagnosis",
        Prescription => "Prescription",
        LabResult => "Lab result",
        Note => "Clinical note",
        Allergy => "Allergy",
        _ => kind,
    };

    // Static helpers cannot be an IStringLocalizer<T>; RecordKinds.resx / RecordKinds.my.resx are read the same way.
    private static readonly ResourceWords Texts = new(typeof(RecordKinds));

    /// <summary>
    /// The singular label in the reader's language, for pages. <see cref="SingularLabel"/> stays English: it also goes
    /// into data (exported AuditEvents, the health summary's document, export file notes).
    /// </summary>
    public static string SingularText(string kind) => IsKnown(kind) ? Texts.Find("Singular" + KeyOf(kind)) ?? kind : kind;

    /// <summary>The plural label in the reader's language, for filters on pages (<see cref="Label"/> stays English for data).</summary>
    public static string Text(string kind) => IsKnown(kind) ? Texts.Find("Plural" + KeyOf(kind)) ?? kind : kind;

    private static string KeyOf(string kind) => string.Concat(kind.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
