using System.Globalization;
using HealthPortal.Features.Records;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// The confirmation pages' shared words in the reader's language (AnchorWords.resx / AnchorWords.my.resx beside this
/// file): page titles by what a save holds, the dispute reasons, and what a refusal of the workflow means. The signed
/// anchors and what is stored never pass through here.
/// </summary>
public static class AnchorWords
{
    // Static helpers cannot be an IStringLocalizer<T>; their resources are read the same way (as Grants/GrantWords).
    private static readonly ResourceWords Texts = new(typeof(AnchorWords));

    public static string Text(string key, CultureInfo? culture = null) => Texts.Text(key, culture);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    /// <summary>
    /// A refusal of the workflow as the reader reads it. The workflow writes English sentences with details (the ledger's
    /// words); English readers keep them, readers of another language get the code's sentence.
    /// </summary>
    public static string Explain(AnchorError code, string? message) =>
        Keys.KeyWords.ReaderReadsEnglish && message is not null ? message : Text("Error" + code);

    /// <summary>"Confirm my visit", "Confirm my lab results": what the page asks, by what the save holds.</summary>
    public static string Title(IReadOnlyList<AnchorRecordView> records)
    {
        var kinds = records.Select(r => r.Kind).Distinct().ToList();
        // A visit's diagnoses, prescriptions and note belong to the visit: the encounter names the whole.
        if (kinds.Contains(RecordKinds.Encounter)) return Text("TitleVisit");
        if (kinds.Count != 1) return Text("TitleRecords");
        var many = records.Count > 1;
        return kinds[0] switch
        {
            RecordKinds.LabResult => Text(many ? "TitleLabResults" : "TitleLabResult"),
            RecordKinds.Diagnosis => Text(many ? "TitleDiagnoses" : "TitleDiagnosis"),
            RecordKinds.Prescription => Text(many ? "TitlePrescriptions" : "TitlePrescription"),
            RecordKinds.Note => Text(many ? "TitleNotes" : "TitleNote"),
            RecordKinds.Allergy => Text(many ? "TitleAllergies" : "TitleAllergy"),
            _ => Text("TitleRecords"),
        };
    }
}
