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
