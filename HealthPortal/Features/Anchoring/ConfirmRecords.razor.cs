using HealthPortal.Features.Keys;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// The patient reviews one save of a facility and co-signs every anchor of it with this browser's key, or rejects it
/// with a reason. Follows the outcome live: the base page re-reads when a block touching the patient lands.
/// </summary>
public partial class ConfirmRecords
{
    [Parameter] public string Id { get; set; } = "";

    [Inject] private AnchorWorkflow Workflow { get; set; } = default!;
    [Inject] private AnchorEvents Events { get; set; } = default!;

    private AnchorConfirmationView? confirmation;
    private bool loaded;
    private bool busy;
    private bool rejecting;
    private string? reason;
    private string? error;
    private bool listening;

    private string NoKeyText => KeyState switch
    {
        BrowserKeyState.Revoked => "This browser's key was revoked, so it cannot sign. Confirm from a browser that holds an active key, or set up this one again.",
        BrowserKeyState.NotOnLedger => "This browser's key is not on the ledger yet. Finish linking it, or confirm from a browser that holds your key.",
        _ => View?.IsRegistered == false
            ? "You have no key yet. Set one up first; then come back to this link."
            : "This browser holds no key for your account, so it cannot sign. Open this link in the browser where you set up your key, or link this browser first.",
    };

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        Events.Changed += OnAnchorChanged;
        listening = true;
    }

    protected override async Task OnParametersSetAsync()
    {
        confirmation = await Workflow.ForPatientAsync(User, Id);
        loaded = true;
    }

    protected override async Task OnLedgerChangedAsync() => confirmation = await Workflow.ForPatientAsync(User, Id);

    private void OnAnchorChanged(AnchorChange change)
    {
        if (change.Id != Id) return;
        _ = InvokeAsync(async () =>
        {
            confirmation = await Workflow.ForPatientAsync(User, Id);
            StateHasChanged();
        });
    }

    private async Task ConfirmAsync()
    {
        busy = true;
        error = null;
        try
        {
            var toSign = await Workflow.ToSignAsync(User, Id);
            if (toSign is null)
            {
                error = "This can no longer be confirmed.";
                return;
            }
            var signatures = new List<PatientSignature>();
            PatientSigner? signer = null;
            foreach (var anchor in toSign)
            {
                // This browser's key, or the chosen wallet (one prompt per record); a wallet refusal submits nothing.
                var signed = await SignForAsync(anchor.Type, anchor.Body);
                if (!signed.IsOk) { error = signed.Message; return; }
                signer = signed.Value.Signer;
                signatures.Add(new PatientSignature(anchor.TransactionId, anchor.Body, signed.Value.Signature));
            }
            var outcome = await Workflow.ConfirmAsync(User, Id, signer ?? (PatientSigner)BrowserKey!, signatures);
            if (!outcome.Succeeded) error = outcome.Error;
        }
        catch (JSException e)
        {
            error = "This browser could not sign: " + e.Message;
        }
        finally
        {
            confirmation = await Workflow.ForPatientAsync(User, Id);
            busy = false;
        }
    }

    private async Task RejectAsync()
    {
        busy = true;
        error = null;
        try
        {
            var outcome = await Workflow.RejectAsync(User, Id, reason);
            if (!outcome.Succeeded) error = outcome.Error;
            confirmation = await Workflow.ForPatientAsync(User, Id);
        }
        finally
        {
            busy = false;
        }
    }

    public override void Dispose()
    {
        if (listening) Events.Changed -= OnAnchorChanged;
        base.Dispose();
    }
}
