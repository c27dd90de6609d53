using HealthPortal.Features.Words;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Retractions;

/// <summary>
/// The reason codes of <c>record.retract</c> in plain words, for the staff's choice and the patient's timeline, and the
/// retraction service's refusals, in the reader's language (RetractionWords.resx / .my.resx beside this file). The
/// ledger keeps the code; the service writes its sentences in English, which the page shows under English only.
/// </summary>
public static class RetractionWords
{
    private static readonly ResourceWords Texts = new(typeof(RetractionWords));

    /// <summary>The end of "Retracted by X on 7 Dec 2026 — …".</summary>
    public static string ForPatient(string code) => code switch
    {
        RetractReasons.WrongPatient => Texts.Text("PatientWrongPatient"),
        RetractReasons.EnteredInError => Texts.Text("PatientEnteredInError"),
        RetractReasons.Duplicate => Texts.Text("PatientDuplicate"),
        _ => Texts.Text("PatientOther"),
    };

    /// <summary>The choice staff make, in the words they would use.</summary>
    public static string ForStaff(string code) => code switch
    {
        RetractReasons.WrongPatient => Texts.Text("StaffWrongPatient"),
        RetractReasons.EnteredInError => Texts.Text("StaffEnteredInError"),
        RetractReasons.Duplicate => Texts.Text("StaffDuplicate"),
        _ => code,
    };

    /// <summary>A refusal as the reader reads it: the service's own sentence in English, the code's words otherwise.</summary>
    public static string Explain(RetractionError error, string? message) =>
        Keys.KeyWords.ReaderReadsEnglish && message is not null ? message : Texts.Text("Error" + error);

    /// <summary>
    /// The message under a refused field: the service's own (naming the rule broken) in English; under another language
    /// the field's rule in that language.
    /// </summary>
    public static string Field(string field, string message) =>
        Keys.KeyWords.ReaderReadsEnglish ? message : Texts.Format("Field" + field, RecordRetractions.MaxWords);
}
