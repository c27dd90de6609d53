using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// What a format-specific save created, all written in one store transaction. A save answers
/// <c>Result&lt;EhrSaved, EhrError&gt;</c>: this, or a refusal with nothing written; an <see cref="EhrError.Invalid"/>
/// refusal names the input's field paths ("Diagnoses[1].Icd10", "Vitals.Systolic") so a form can show each message
/// beside its field.
/// </summary>
/// <param name="CreatedId">The id of what a save created that is not (yet) a record, e.g. a laboratory order awaiting results.</param>
public sealed record EhrSaved(IReadOnlyList<EhrRecord> Records, string? CreatedId = null);
