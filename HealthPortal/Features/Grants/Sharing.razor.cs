using HealthPortal.Features.Times;
using HealthPortal.Features.Outcomes;
using System.Text.Json.Nodes;
using HealthPortal.Features.Keys;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The patient's Sharing page: issue a grant (the browser signs grant.issue after the page shows exactly what it
/// signs), see every grant by status, revoke one (the browser signs grant.revoke), and answer facilities' requests.
/// Follows the ledger live: a block touching the patient re-reads the grants.
/// </summary>
public partial class Sharing
{
    [Inject] private PatientGrants Grants { get; set; } = default!;
    [Inject] private AccessRequests Requests { get; set; } = default!;
    [Inject] private AccessRequestNotifier RequestNotifier { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private IStringLocalizer<RevokeGrantDialog> RevokeWords { get; set; } = default!;

    /// <summary>The patient's clock (their profile zone): grant times are shown and typed on it.</summary>
    [CascadingParameter] private UserTime Time { get; set; } = UserTime.Default;

    private enum ShareStage { Form, Review, Done }

    /// <summary>What the done message says, kept from the draft that was signed.</summary>
    private sealed record Shared(string FacilityName, IReadOnlyList<string> Categories, DateTimeOffset NotBefore, long Height);

    private SharingView? sharing;
    private ShareStage stage;
    private GrantInput input = new();
    private GrantDraft? draft;
    private string? canonical;
    private Shared? outcome;
    private IReadOnlyList<FieldError> serverProblems = [];
    private string? declining;
    private string? declineReason;
    private bool busy;
    private string? error;
    private string? notice;

    private GrantDraft Draft => draft!;

    // This browser's key or a linked wallet (the wallet itself is asked, and may refuse, when signing).
    private bool CanSign => CanSignAny;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        input = GrantInput.Default(Clock.GetUtcNow());
        await LoadAsync();
        RequestNotifier.Changed += OnRequestsChanged;
    }

    protected override Task OnLedgerChangedAsync() => LoadAsync();

    private async Task LoadAsync() => sharing = await Grants.LoadAsync(User);

    private void OnRequestsChanged(string mpi)
    {
        if (mpi != sharing?.Mpi) return;
        _ = InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        });
    }

    // ---- issue ---------------------------------------------------------------------------------------------

    private Task ReviewAsync(GrantInput form) => RunAsync(async () =>
    {
        var result = await Grants.DraftIssueAsync(User, form);
        serverProblems = result.Fields;
        if (!result.IsOk) return;
        draft = result.Value;
        canonical = await Browser.CanonicalEnvelopeAsync(TxType.GrantIssue, draft!.Body);
        stage = ShareStage.Review;
    });

    private Task SignAsync() => RunAsync(async () =>
    {
        var signed = await SignForAsync(TxType.GrantIssue, draft!.Body);
        if (!signed.IsOk) { error = signed.Message; return; } // the wallet refused: nothing is submitted
        var (signer, signature) = signed.Value;
        var result = await Grants.IssueAsync(User, draft.Body, signer, signature, input.RequestId, draft.PurposeText);
        if (!result.IsOk)
        {
            error = result.Message;
            return;
        }
        outcome = new Shared(draft.FacilityName, draft.Categories, draft.NotBefore, result.Value!.Height);
        stage = ShareStage.Done;
        await LoadAsync();
    });

    private void BackToForm()
    {
        stage = ShareStage.Form;
        draft = null;
    }

    private void ResetForm()
    {
        input = GrantInput.Default(Clock.GetUtcNow());
        serverProblems = [];
        draft = null;
        outcome = null;
        stage = ShareStage.Form;
    }

    // ---- revoke --------------------------------------------------------------------------------------------

    private async Task RevokeAsync(GrantView grant)
    {
        var parameters = new DialogParameters<RevokeGrantDialog> { { d => d.Grant, grant } };
        var dialog = await Dialogs.ShowAsync<RevokeGrantDialog>(RevokeWords["Title"], parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var answer = await dialog.Result;
        if (answer is null || answer.Canceled) return;
        await RunAsync(async () =>
        {
            var body = await Grants.DraftRevokeAsync(User, grant.Id);
            if (!body.IsSuccess) { error = body.Message; return; }
            var signed = await SignForAsync(TxType.GrantRevoke, body.Value!);
            if (!signed.IsOk) { error = signed.Message; return; } // the wallet refused: nothing is submitted
            var (signer, signature) = signed.Value;
            var result = await Grants.RevokeAsync(User, body.Value!, signer, signature);
            if (!result.IsOk) { error = result.Message; return; }
            notice = L["Revoked", grant.FacilityName, result.Value!.Height];
            await LoadAsync();
        });
    }

    // ---- requests ------------------------------------------------------------------------------------------

    private void Approve(AccessRequestView request)
    {
        input = AccessRequests.Prefill(request, Clock.GetUtcNow());
        serverProblems = [];
        draft = null;
        outcome = null;
        stage = ShareStage.Form;
    }

    private void StartDecline(AccessRequestView request)
    {
        declining = request.Id;
        declineReason = null;
    }

    private Task DeclineAsync(AccessRequestView request) => RunAsync(async () =>
    {
        var result = await Requests.DeclineAsync(User, request.Id, declineReason);
        if (!result.IsOk) { error = result.Message; return; }
        declining = null;
        notice = L["Declined", request.FacilityName];
        if (input.RequestId == request.Id) ResetForm();
        await LoadAsync();
    });

    private async Task RunAsync(Func<Task> work)
    {
        busy = true;
        error = null;
        notice = null;
        try
        {
            await work();
        }
        catch (JSException e)
        {
            error = L["BrowserFailed", e.Message];
        }
        finally
        {
            busy = false;
        }
    }

    public override void Dispose()
    {
        RequestNotifier.Changed -= OnRequestsChanged;
        base.Dispose();
    }
}
