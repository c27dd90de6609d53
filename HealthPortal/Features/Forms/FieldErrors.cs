using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Text;

namespace HealthPortal.Features.Forms;

/// <summary>Collects field errors in input order; the first message per field wins.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IReadOnlyDictionary<string, string> All => _errors;

    /// <summary>The errors as a result's field list (input order), for <c>Result.Invalid(code, errors.List)</c>.</summary>
    public IReadOnlyList<FieldError> List => [.. _errors.Select(e => new FieldError(e.Key, e.Value))];

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
