using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// What the three entry forms share: the patient and facility they write for, the field errors of the last save
/// (shown beside their fields), a busy flag that disables saving while a save runs, and the signed-in staff member
/// recorded as the one who entered the data. What is typed is kept as a draft in the tab's sessionStorage (the form's
/// root carries <c>data-draft="@DraftKey"</c>) and restored after a lost circuit, until a save succeeds.
/// </summary>
public abstract class EhrFormBase : ComponentBase, IAsyncDisposable
{
    private const string DraftModule = "./js/form-drafts.js";
    private IJSObjectReference? drafts;

    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Parameter, EditorRequired] public string FacilityId { get; set; } = "";
    [Parameter, EditorRequired] public string Mpi { get; set; } = "";
    [Parameter] public EventCallback<IReadOnlyList<EhrRecord>> OnSaved { get; set; }

    /// <summary>
    /// The record this save corrects (null: a new record). The form then opens filled with the save that holds it,
    /// asks why, and reports through <see cref="OnCorrected"/> instead of <see cref="OnSaved"/>.
    /// </summary>
    [Parameter] public string? CorrectionOf { get; set; }
    [Parameter] public EventCallback<EhrCorrectionSaved> OnCorrected { get; set; }
    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }

    /// <summary>The facility's clock: dates and times are typed in its zone and stored as UTC.</summary>
    [CascadingParameter] public Times.UserTime Clock { get; set; } = Times.UserTime.Default;

    protected IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();

    /// <summary>The form's date fields whose typed text is not a date (each shows why); nothing is saved while any is left.</summary>
    protected Times.UnreadDates UnreadDates { get; } = new();
    protected string? Problem { get; private set; }
    protected string? Saved { get; private set; }
    protected bool Saving { get; private set; }

    /// <summary>How many fields a kept draft put back on this visit (0: none), for the notice above the form.</summary>
    protected int RestoredFields { get; private set; }

    /// <summary>Why the record is corrected, as typed (required for a correction).</summary>
    protected string? CorrectionReason { get; set; }

    /// <summary>The records of the save being corrected (empty for a new record, or while it loads).</summary>
    protected IReadOnlyList<EhrRecord> CorrectionOld { get; set; } = [];

    /// <summary>One draft per form, facility and patient (and corrected record): a draft for one patient never fills another's form.</summary>
    protected string DraftKey => $"{GetType().Name}:{FacilityId}:{Mpi}" + (CorrectionOf is null ? "" : ":" + CorrectionOf);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        try
        {
            drafts = await JS.InvokeAsync<IJSObjectReference>("import", DraftModule);
            RestoredFields = await drafts.InvokeAsync<int>("track", DraftKey);
            if (RestoredFields > 0) StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
            // The circuit ended before the module loaded: the next visit restores the draft.
        }
    }

    private async Task ClearDraftAsync()
    {
        if (drafts is null) return;
        try { await drafts.InvokeVoidAsync("clear", DraftKey); }
        catch (JSDisconnectedException) { /* saved; the tab's stale draft only fills empty fields next time */ }
    }

    public async ValueTask DisposeAsync()
    {
        if (drafts is null) return;
        try { await drafts.DisposeAsync(); }
        catch (JSDisconnectedException) { /* the browser is gone, and the module with it */ }
        GC.SuppressFinalize(this);
    }

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
            if (UnreadDates.Any)
            {
                // The unreadable date's field is empty to the form, so saving now would drop a date still shown typed.
                Problem = "A date could not be read. " + UnreadDates.Summary;
                return;
            }
            string? reason = null;
            if (CorrectionOf is not null)
            {
                // Checked before anything is written: a correction without its reason is not saved at all.
                var e = new Forms.FieldErrors();
                reason = e.Required("CorrectionReason", CorrectionReason, "Reason for the correction", EhrCorrections.MaxReason, multiline: true);
                if (CorrectionOld.Count == 0) e.Add("CorrectionReason", "The record to correct is no longer in this facility's store.");
                if (e.Any)
                {
                    Errors = e.All.ToDictionary();
                    Problem = "Please correct the highlighted fields.";
                    return;
                }
            }
            var staff = Authentication is null ? "" : (await Authentication).User.Identity?.Name ?? "";
            var result = await save(staff.Length > 0 ? staff : "unknown staff");
            // The first message per field is the one shown beside it.
            Errors = result.Fields.DistinctBy(f => f.Field).ToDictionary(f => f.Field, f => f.Message);
            Problem = result.IsOk ? null : result.Error == EhrError.Invalid ? "Please correct the highlighted fields." : result.Message;
            if (result.Value is { } saved)
            {
                Saved = savedMessage(saved);
                reset?.Invoke();
                UnreadDates.Clear();
                RestoredFields = 0;
                await ClearDraftAsync();
                if (CorrectionOf is not null && saved.Records.Count > 0)
                    await OnCorrected.InvokeAsync(new EhrCorrectionSaved(CorrectionOf, saved.Records, CorrectionOld, reason!));
                else if (saved.Records.Count > 0) await OnSaved.InvokeAsync(saved.Records);
            }
        }
        finally
        {
            Saving = false;
        }
    }

    /// <summary>A date and a time picked separately, in the facility's zone, as one UTC instant (null without a date).</summary>
    protected DateTime? Combine(DateTime? date, TimeSpan? time) => Clock.ToUtc(date, time);
}
