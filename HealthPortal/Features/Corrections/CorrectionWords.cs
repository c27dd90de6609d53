using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Corrections;

/// <summary>
/// What the correction service refuses, in the reader's language (CorrectionWords.resx / .my.resx beside this file).
/// <see cref="RecordCorrections"/> writes its sentences in English (logs, the API); under another language the pages
/// show the refusal's code and field in these words instead.
/// </summary>
public static class CorrectionWords
{
    private static readonly ResourceWords Texts = new(typeof(CorrectionWords));

    /// <summary>A refusal as the reader reads it: the service's own sentence in English, the code's words otherwise.</summary>
    public static string Explain(CorrectionError error, string? message) =>
        Keys.KeyWords.ReaderReadsEnglish && message is not null ? message : Texts.Text("Error" + error);

    /// <summary>
    /// The message under a field the service refused: its own (naming the rule broken) in English; under another
    /// language the field's rule in that language, as the service's message is not translated.
    /// </summary>
    public static string? Field<T>(Result<T, CorrectionError> result, string field, string key) =>
        result.FieldMessage(field) is not { } message ? null
        : Keys.KeyWords.ReaderReadsEnglish ? message
        : Texts.Format(key, RecordCorrections.MaxWords);
}
