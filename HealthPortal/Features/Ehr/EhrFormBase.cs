using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// What the three entry forms share: the patient and facility they write for, the field errors of the last save
/// (shown beside their fields), a busy flag that disables saving while a save runs, and the signed-in staff member
/// recorded as the one who entered the data.
/// </summary>
public abstract class EhrFormBase : ComponentBase
{
    [Parameter, EditorRequired] public string FacilityId { get; set; } = "";
    [Parameter, EditorRequired] public string Mpi { get; set; } = "";
    [Parameter] public EventCallback<IReadOnlyList<EhrRecord>> OnSaved { get; set; }
    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }

    protected IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();
    protected string? Problem { get; private set; }
    protected string? Saved { get; private set; }
    protected bool Saving { get; private set; }

    protected bool Has(string field) => Errors.ContainsKey(field);

    protected string Error(string field) => Errors.TryGetValue(field, out var message) ? message : "";

    /// <summary>Runs one save: disables the button meanwhile, shows its field errors or reports its records.</summary>
    protected async Task SaveAsync(Func<string, Task<Result<EhrSaved, EhrError>>> save, Func<EhrSaved, string> savedMessage, Action? reset = null)
    {
        if (Saving) return;
        Saving = true;
        Problem = null;
        Saved = null;
        try
        {
            var staff = Authentication is null ? "" : (await Authentication).User.Identity?.Name ?? "";
            var result = await save(staff.Length > 0 ? staff : "unknown staff");
            // The first message per field is the one shown beside it.
            Errors = result.Fields.DistinctBy(f => f.Field).ToDictionary(f => f.Field, f => f.Message);
            Problem = result.IsOk ? null : result.Error == EhrError.Invalid ? "Please correct the highlighted fields." : result.Message;
            if (result.Value is { } saved)
            {
                Saved = savedMessage(saved);
                reset?.Invoke();
                if (saved.Records.Count > 0) await OnSaved.InvokeAsync(saved.Records);
            }
        }
        finally
        {
            Saving = false;
        }
    }

    /// <summary>A date and a time picked separately as one UTC instant (null without a date).</summary>
    protected static DateTime? Combine(DateTime? date, TimeSpan? time) =>
        date is { } d ? DateTime.SpecifyKind(d.Date + (time ?? TimeSpan.Zero), DateTimeKind.Utc) : null;
}
