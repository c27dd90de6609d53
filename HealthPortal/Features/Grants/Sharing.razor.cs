using HealthPortal.Features.Times;
using HealthPortal.Features.Outcomes;
using System.Text.Json.Nodes;
using HealthPortal.Features.Keys;
using HealthPortal.Ledger;
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
/// While the app bar acts for someone else (issue 14), the page is theirs: it keeps the person it opened for, sends
/// them with every request, and the services decide again each time from the ledger's delegations in force (view and
/// share); when they refuse (revoked, ended, no share power) the page gives way to the reason.
/// </summary>
public partial class Sharing
{
    [Inject] private PatientGrants Grants { get; set; } = default!;
    [Inject] private AccessRequests Requests { get; set; } = default!;
    [Inject] private AccessRequestNotifier RequestNotifier { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private IStringLocalizer<RevokeGrantDialog> RevokeWords { get; set; } = default!;
    [Inject] private IServiceProvider Services { get; set; } = default!;

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

    /// <summary>
    /// The person acted for when the page opened (the switcher's choice), null for one's own sharing. Fixed for the
    /// page's life, so a switch in another tab never turns a grant begun for one person into another's.
    /// </summary>
    private string? forMpi;

    /// <summary>Why the caller may not share for <see cref="forMpi"/> now (the server's words); the page shows only this.</summary>
    private string? refusal;

    private GrantDraft Draft => draft!;

    /// <summary>The person whose sharing this is, when it is not the signed-in patient's own.</summary>
    private SharingSubject? Acting => sharing?.ActingFor;

    // This browser's key or a linked wallet (the wallet itself is asked, and may refuse, when signing). Acting for someone
    // else, only this browser's key: no wallet's typed data says "on behalf of", and the ledger refuses a wallet there.
    private bool CanSign => forMpi is null ? CanSignAny : BrowserCanSign;

    private IReadOnlyList<string> SignerWallets => forMpi is null ? ActiveWallets : [];

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        input = GrantInput.Default(Clock.GetUtcNow());
        forMpi = (await HealthPortal.Features.ActingFor.ActingForChoices.OtherSubjectAsync(Services, User))?.Mpi;
        await LoadAsync();
        RequestNotifier.Changed += OnRequestsChanged;
        // The base re-reads on blocks naming the signed-in patient; the person acted for has their own.
        if (forMpi is not null) Ledger.Engine.BlockCommitted += OnBlockCommitted;
    }

    protected override Task OnLedgerChangedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        var loaded = await Grants.LoadForAsync(User, forMpi);
        sharing = loaded.IsOk ? loaded.Value : null;
        refusal = loaded.IsOk || forMpi is null ? null : loaded.Message;
    }

    /// <summary>A block naming the person acted for (a grant, an access log, the delegation's revocation) re-reads the page.</summary>
    private void OnBlockCommitted(HealthPortal.Ledger.Ordering.CommittedBlock block)
    {
        // Raised on the sequencer thread: only look, then move onto the circuit.
        if (!block.Transactions.Any(t => t.GetString("mpi") == forMpi)) return;
        _ = InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        });
    }

    /// <summary>
    /// After a refusal of a request for the person acted for: read the page again, so that when the delegation no longer
    /// allows sharing the form and lists give way to the reason.
    /// </summary>
    private async Task GiveWayIfRefusedAsync(bool refusedForPower)
    {
        if (forMpi is not null && refusedForPower) await LoadAsync();
    }

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
        var result = await Grants.DraftIssueAsync(User, form, forMpi);
        serverProblems = result.Fields;
        if (!result.IsOk)
        {
            if (result.Fields.Count == 0) error = result.Message;
            await GiveWayIfRefusedAsync(result.Error == LedgerError.PowerNotDelegated);
            return;
        }
        draft = result.Value;
        canonical = await Browser.CanonicalEnvelopeAsync(TxType.GrantIssue, draft!.Body);
        stage = ShareStage.Review;
    });

    private Task SignAsync() => RunAsync(async () =>
    {
        if (forMpi is not null) SignWith = SignerChoice.Browser;
        var signed = await SignForAsync(TxType.GrantIssue, draft!.Body);
        if (!signed.IsOk) { error = signed.Message; return; } // the wallet refused: nothing is submitted
        var (signer, signature) = signed.Value;
        var result = await Grants.IssueAsync(User, draft.Body, signer, signature, input.RequestId, draft.PurposeText);
        if (!result.IsOk)
        {
            error = result.Message;
            await GiveWayIfRefusedAsync(result.Error == LedgerError.PowerNotDelegated);
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
        var parameters = new DialogParameters<RevokeGrantDialog> { { d => d.Grant, grant }, { d => d.ForName, Acting?.Name } };
        var dialog = await Dialogs.ShowAsync<RevokeGrantDialog>(RevokeWords["Title"], parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var answer = await dialog.Result;
        if (answer is null || answer.Canceled) return;
        await RunAsync(async () =>
        {
            var body = await Grants.DraftRevokeAsync(User, grant.Id, forMpi);
            if (!body.IsSuccess)
            {
                error = body.Message;
                await GiveWayIfRefusedAsync(body.Error == LedgerError.PowerNotDelegated);
                return;
            }
            if (forMpi is not null) SignWith = SignerChoice.Browser;
            var signed = await SignForAsync(TxType.GrantRevoke, body.Value!);
            if (!signed.IsOk) { error = signed.Message; return; } // the wallet refused: nothing is submitted
            var (signer, signature) = signed.Value;
            var result = await Grants.RevokeAsync(User, body.Value!, signer, signature);
            if (!result.IsOk)
            {
                error = result.Message;
                await GiveWayIfRefusedAsync(result.Error == LedgerError.PowerNotDelegated);
                return;
            }
            notice = Acting is { } person ? L["RevokedFor", grant.FacilityName, result.Value!.Height, person.Name] : L["Revoked", grant.FacilityName, result.Value!.Height];
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
        var result = await Requests.DeclineAsync(User, request.Id, declineReason, forMpi);
        if (!result.IsOk)
        {
            error = result.Message;
            await GiveWayIfRefusedAsync(result.Error == AccessRequestError.Forbidden);
            return;
        }
        declining = null;
        notice = Acting is { } person ? L["DeclinedFor", request.FacilityName, person.Name] : L["Declined", request.FacilityName];
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
        if (forMpi is not null) Ledger.Engine.BlockCommitted -= OnBlockCommitted;
        base.Dispose();
    }
}
