using HealthPortal.Features.Words;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Mpi;

/// <summary>
/// The MPI pages' shared words in the reader's language (MpiWords.resx / .my.resx beside this file): a field's name, how
/// two values of it compared, and the merge and split reasons. The matcher, its configuration and the evaluation report
/// keep the English level names (<see cref="MpiLevels.Of"/>); only what a person reads passes through here.
/// </summary>
public static class MpiWords
{
    private static readonly ResourceWords Texts = new(typeof(MpiWords));

    public static string Text(string key) => Texts.Text(key);

    public static string Format(string key, params object?[] args) => Texts.Format(key, args);

    /// <summary>A steward service's refusal as the reader reads it: its own sentence in English, the code's words otherwise.</summary>
    public static string Explain(StewardError error, string? message) =>
        Keys.KeyWords.ReaderReadsEnglish && message is not null ? message : Text("StewardError" + error);

    /// <summary>
    /// The message under a field a steward service refused: its own (with the count it found) in English; under another
    /// language the field's rule, <paramref name="max"/> characters at most.
    /// </summary>
    public static string FieldRule(string field, string message, int max) =>
        Keys.KeyWords.ReaderReadsEnglish ? message : Format("Field" + field, max);

    public static string Field(MpiField field) => Texts.Find("Field" + field) ?? field.ToString();

    /// <summary>How the two values of a field compared ("exact", "swapped day/month"), by the matcher's level name.</summary>
    public static string Level(FieldComparison comparison) => comparison.LevelName switch
    {
        "missing" => Text("LevelMissing"),
        "exact" => Text("LevelExact"),
        "close" => Text("LevelClose"),
        "similar" => Text("LevelSimilar"),
        "disagree" => Text("LevelDisagree"),
        "swapped day/month" => Text("LevelSwapped"),
        "typo" => Text("LevelTypo"),
        "same year" => Text("LevelSameYear"),
        "agree" => Text("LevelAgree"),
        "same card number" => Text("LevelSameCardNumber"),
        var other => other,
    };
}
