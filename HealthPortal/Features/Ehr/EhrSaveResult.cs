using HealthPortal.Ledger.Text;
using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// What a format-specific save answers: either every record the save created (all written in one store
/// transaction), or the field-level problems and nothing written. Keys of <see cref="Errors"/> are the input's
/// field paths ("Diagnoses[1].Icd10", "Vitals.Systolic"), so a form can show each message beside its field.
/// </summary>
public sealed record EhrSaveResult(IReadOnlyList<EhrRecord> Records, IReadOnlyDictionary<string, string> Errors, string? Problem = null)
{
    public bool Succeeded => Errors.Count == 0 && Problem is null;

    /// <summary>The id of what a save created that is not (yet) a record, e.g. a laboratory order awaiting results.</summary>
    public string? CreatedId { get; init; }

    public static EhrSaveResult Saved(IReadOnlyList<EhrRecord> records) => new(records, Empty);

    public static EhrSaveResult Invalid(IReadOnlyDictionary<string, string> errors) => new([], errors);

    /// <summary>The store itself refused (missing, wrong format): nothing the user can fix in a field.</summary>
    public static EhrSaveResult Failed(string problem) => new([], Empty, problem);

    public string? ErrorOf(string field) => Errors.TryGetValue(field, out var message) ? message : null;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}

/// <summary>Collects field errors in input order; the first message per field wins.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IReadOnlyDictionary<string, string> All => _errors;

    public void Add(string field, string message) => _errors.TryAdd(field, message);

    /// <summary>
    /// Trimmed text, or an error when it is empty, longer than <paramref name="max"/>, or not <see cref="SafeText"/>
    /// (control or bidi-override characters can make what a reader sees differ from what was written).
    /// </summary>
    /// <param name="multiline">Whether line breaks and tabs belong in the field (notes, findings).</param>
    public string Required(string field, string? value, string label, int max = 200, bool multiline = false)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0) Add(field, $"{label} is required.");
        else if (text.Length > max) Add(field, $"{label} is at most {max} characters.");
        else Safe(field, text, label, multiline);
        return text;
    }

    /// <inheritdoc cref="Required"/>
    public string Optional(string field, string? value, string label, int max = 2000, bool multiline = false)
    {
        var text = value?.Trim() ?? "";
        if (text.Length > max) Add(field, $"{label} is at most {max} characters.");
        else Safe(field, text, label, multiline);
        return text;
    }

    private void Safe(string field, string text, string label, bool multiline)
    {
        if (SafeText.Check(text, multiline) is { } problem) Add(field, $"{label}: {problem}.");
    }

    public T? Require<T>(string field, T? value, string label) where T : struct
    {
        if (value is null) Add(field, $"{label} is required.");
        return value;
    }
}
