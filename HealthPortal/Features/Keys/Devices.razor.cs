using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using HealthPortal.Features.Security;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Keys;

/// <summary>
/// The patient's keys on the ledger, this browser's among them; linking a second browser (this one co-signs),
/// revoking a key (this one signs), and a way back for a browser without an active key.
/// </summary>
public partial class Devices
{
    /// <summary>The reader's clock (facility zone for staff, profile zone for patients).</summary>
    [CascadingParameter] private HealthPortal.Features.Times.UserTime Clock { get; set; } = HealthPortal.Features.Times.UserTime.Default;

    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private HealthPortal.Features.Security.PublicUrls PublicUrls { get; set; } = default!;

    private bool busy;
    private string? error;
    private string? notice;
    private string? confirmRevoke;
    private Result<long, KeyError>? checkResult;
    private DeviceLink? link;
    private string? linkUrl;
    private string? linkQr;

    // ---- key check -----------------------------------------------------------------------------------------

    private Task CheckKeyAsync() => RunAsync(async () =>
    {
        checkResult = null;
        var challenge = await Keys.NewKeyCheckAsync(User);
        if (challenge is null) { error = L["NotRegisteredYet"]; return; }
        var signature = await Browser.SignAsync(Owner, PatientKeys.KeyCheckType, challenge);
        checkResult = await Keys.VerifyKeyCheckAsync(User, challenge, BrowserKey!, signature);
    });

    // ---- names -------------------------------------------------------------------------------------------

    private string? renaming;
    private string? newName;

    /// <summary>What a device is called before the patient names it.</summary>
    private static string DefaultName(DeviceKey key, bool isThis) => KeyWords.DefaultDeviceName(key, isThis);

    private void StartRename(DeviceKey key)
    {
        error = null;
        notice = null;
        renaming = key.Kid;
        newName = key.Name ?? "";
    }

    private Task SaveNameAsync(string kid) => RunAsync(async () =>
    {
        var saved = await Keys.NameDeviceAsync(User, kid, newName);
        if (!saved.IsOk) { error = KeyWords.Explain(saved.Error, saved.Message); return; }
        renaming = null;
        notice = saved.Value is { } name ? L["Renamed", name] : L["NameRemoved"];
        await ReloadAsync();
    });

    // ---- revoke --------------------------------------------------------------------------------------------

    private void AskRevoke(string kid)
    {
        error = null;
        notice = null;
        confirmRevoke = kid;
    }

    private Task RevokeAsync() => RunAsync(async () =>
    {
        var kid = confirmRevoke!;
        confirmRevoke = null;
        var draft = await Keys.DraftRevokeAsync(User, kid);
        if (!draft.IsSuccess) { error = KeyWords.Explain(draft.Error, draft.Message); return; }
        var signed = await SignForAsync(TxType.KeyRevoke, draft.Value!);
        if (!signed.IsOk) { error = KeyWords.Explain(signed.Error, signed.Message); return; } // the wallet refused: nothing is submitted
        var outcome = await Keys.RevokeAsync(User, draft.Value!, signed.Value.Signer, signed.Value.Signature);
        if (!outcome.IsOk) { error = KeyWords.Explain(outcome.Error, outcome.Message); return; }
        notice = L["RevokedNotice", KeyFingerprint.Short(kid), outcome.Value];
        await ReloadAsync();
    });

    // ---- link a second browser -----------------------------------------------------------------------------

    private Task OpenLinkAsync() => RunAsync(async () =>
    {
        Detach();
        link = await Keys.OpenLinkAsync(User);
        if (link is null) { error = L["NotRegisteredYet"]; return; }
        link.Changed += OnLinkChanged;
        linkUrl = PublicUrls.Absolute(Navigation, "patient/link");
        linkQr = QrCodes.PngDataUri(linkUrl, 6);
        // Nobody may join: look now and then, so an expired link says so instead of waiting forever.
        expiryWatch ??= new Timer(_ => _ = InReadersLanguageAsync(WatchExpiryAsync), null, ExpiryCheck, ExpiryCheck);
    });

    private static readonly TimeSpan ExpiryCheck = TimeSpan.FromSeconds(15);
    private Timer? expiryWatch;

    private async Task WatchExpiryAsync()
    {
        // Finding an expired link closes it, which raises Changed (and so re-renders this page).
        if (link is { Stage: LinkStage.WaitingForNewDevice or LinkStage.WaitingForApproval }) await Keys.FindLinkAsync(User, link.Id);
    }

    private Task ApproveLinkAsync() => RunAsync(async () =>
    {
        if (link?.Body is null) return;
        var signed = await SignForAsync(TxType.KeyAdd, link.Body);
        if (!signed.IsOk) { error = KeyWords.Explain(signed.Error, signed.Message); return; } // the wallet refused: nothing is submitted
        var outcome = await Keys.ApproveLinkAsync(User, link.Id, signed.Value.Signer, signed.Value.Signature);
        if (!outcome.IsOk) error = KeyWords.Explain(outcome.Error, outcome.Message);
        await ReloadAsync();
    });

    private async Task CancelLinkAsync()
    {
        if (link is not null) await Keys.CancelLinkAsync(User, link.Id);
        CloseLink();
    }

    private void CloseLink()
    {
        Detach();
        link = null;
    }

    private void OnLinkChanged() => _ = InReadersLanguageAsync(() => { StateHasChanged(); return Task.CompletedTask; });

    private void Detach()
    {
        if (link is not null) link.Changed -= OnLinkChanged;
    }

    // ---- link an Ethereum wallet ---------------------------------------------------------------------------

    private string? walletMessage;

    private Task LinkWalletAsync() => RunAsync(async () =>
    {
        walletMessage = null;
        if (!await Wallet.IsAvailableAsync())
        {
            walletMessage = L["NoWallet"];
            return;
        }
        var account = await Wallet.RequestAccountAsync();
        if (account.Value is null) { walletMessage = WalletRefusal(account, sharing: true); return; }
        var draft = await Keys.DraftWalletLinkAsync(User, account.Value);
        if (!draft.IsSuccess) { walletMessage = KeyWords.Explain(draft.Error, draft.Message); return; }
        var (body, typedData) = draft.Value;
        var walletSignature = await Wallet.SignTypedDataAsync(account.Value, typedData);
        if (walletSignature.Value is null) { walletMessage = WalletRefusal(walletSignature, sharing: false); return; }
        var signature = await Browser.SignAsync(Owner, TxType.KeyAdd, body);
        var outcome = await Keys.CompleteWalletLinkAsync(User, body, BrowserKey!, signature, walletSignature.Value);
        if (!outcome.IsOk) { walletMessage = KeyWords.Explain(outcome.Error, outcome.Message); return; }
        notice = L["WalletLinked", account.Value, outcome.Value];
        await ReloadAsync();
    });

    private string WalletRefusal(WalletAnswer answer, bool sharing) => answer switch
    {
        { Declined: true } => L[sharing ? "DeclinedShare" : "DeclinedSign"],
        { Error: -32002 } => L["WalletBusy"],
        { Message: { } m } when m.Contains("chainId", StringComparison.OrdinalIgnoreCase) => L["WrongChain", m],
        _ => L[sharing ? "DidNotShare" : "DidNotSign", answer.Message ?? L["NoAnswer"]],
    };

    // ---- demo enrolment device -----------------------------------------------------------------------------

    private Task DemoLinkAsync() => RunAsync(async () =>
    {
        if (KeyState == BrowserKeyState.Revoked) await Browser.ForgetAsync(Owner);
        await ReadBrowserKeyAsync();
        if (BrowserKey is null)
        {
            await Browser.CreateKeyAsync(Owner);
            await ReadBrowserKeyAsync();
        }
        var draft = await Keys.DraftDemoLinkAsync(User, BrowserKey!);
        if (!draft.IsSuccess) { error = KeyWords.Explain(draft.Error, draft.Message); return; }
        var signature = await Browser.SignAsync(Owner, TxType.KeyAdd, draft.Value!);
        var outcome = await Keys.CompleteDemoLinkAsync(User, draft.Value!, signature);
        if (!outcome.IsOk) { error = KeyWords.Explain(outcome.Error, outcome.Message); return; }
        notice = L["DemoLinked", outcome.Value];
        await ReloadAsync();
    });

    private async Task RunAsync(Func<Task> work)
    {
        busy = true;
        error = null;
        try
        {
            await work();
        }
        catch (JSException e)
        {
            error = KeyWords.BrowserFailed(e.Message);
        }
        finally
        {
            busy = false;
        }
    }

    public override void Dispose()
    {
        expiryWatch?.Dispose();
        Detach();
        base.Dispose();
    }
}
