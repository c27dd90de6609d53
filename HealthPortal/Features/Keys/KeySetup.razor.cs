using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using HealthPortal.Features.Admission;

namespace HealthPortal.Features.Keys;

public enum SetupStep { MakeKey, SolvingPow, Review, Signing, Done }

/// <summary>
/// Registration with a browser key: make the key, draft and stamp patient.register, show it, sign, submit.
/// Every step keeps what the earlier ones produced, so "Try again" resumes where it failed: the key stays in the
/// browser, the MPI number stays reserved, and only a draft the ledger would no longer take is made anew.
/// </summary>
public partial class KeySetup
{
    [Inject] private PatientOnboarding Onboarding { get; set; } = default!;

    private SetupStep step = SetupStep.MakeKey;
    private bool busy;
    private bool nonExtractable;
    private string? error;
    private RegistrationDraft? draft;
    private JsonObject? solved;
    private string? canonical;
    private PowAttempts pow;
    private Onboarded? outcome;
    private bool refused;

    /// <summary>Set when the patient signs up with their wallet as the first key instead of a browser key.</summary>
    private string? walletAccount;

    /// <summary>Signs up with the wallet: its account is the first key; the browser only stamps the proof of work.</summary>
    private async Task UseWalletAsync()
    {
        await RunAsync(async () =>
        {
            if (!await Wallet.IsAvailableAsync())
            {
                error = L["NoWallet"];
                return;
            }
            var providers = await Wallet.ListAsync();
            WalletProviderId ??= providers.FirstOrDefault()?.Id;
            var account = await Wallet.RequestAccountAsync(WalletProviderId);
            if (account.Value is null)
            {
                error = account.Declined ? L["WalletDeclined"] : L["WalletNoAccount", account.Message ?? ""];
                return;
            }
            walletAccount = account.Value;
        }, L["FailedWalletAsk"]);
        if (error is null && walletAccount is not null) await StampAsync();
    }

    protected override async Task OnBrowserReadyAsync()
    {
        if (View is not { HasProfile: true, IsRegistered: false }) return;
        if (BrowserError is not null) { error = BrowserError; return; }
        if (KeyState == BrowserKeyState.Revoked)
        {
            // Cannot happen before registration; a stale key of an earlier attempt is simply replaced.
            await Browser.ForgetAsync(Owner);
            await ReadBrowserKeyAsync();
        }
        if (BrowserKey is not null)
        {
            // A key made on an earlier visit: keep it and carry on.
            nonExtractable = await Browser.IsNonExtractableAsync(Owner);
            await StampAsync();
        }
    }

    private async Task MakeKeyAsync()
    {
        await RunAsync(async () =>
        {
            await Browser.CreateKeyAsync(Owner);
            await ReadBrowserKeyAsync();
            nonExtractable = await Browser.IsNonExtractableAsync(Owner);
        }, L["FailedMakeKey"]);
        if (error is null) await StampAsync();
    }

    /// <summary>Drafts the registration on the server and solves its proof of work in the browser's worker.</summary>
    private async Task StampAsync()
    {
        step = SetupStep.SolvingPow;
        refused = false;
        solved = null;
        canonical = null;
        pow = default;
        await RunAsync(async () =>
        {
            var drafted = walletAccount is not null ? await Onboarding.DraftWalletAsync(User, walletAccount) : await Onboarding.DraftAsync(User, BrowserKey!.ToJson());
            if (!drafted.IsSuccess)
            {
                error = KeyWords.Explain(drafted.Error, drafted.Message);
                if (drafted.Error == HealthPortal.Ledger.LedgerError.PatientAlreadyRegistered) await ReloadAsync();
                return;
            }
            draft = drafted.Value!;
            pow = new PowAttempts(0, 1L << draft.PowBits);
            StateHasChanged();
            var progress = new Progress(this);
            solved = await Browser.SolvePowAsync(draft.Type, draft.Body, draft.PowBits, progress);
            canonical = await Browser.CanonicalEnvelopeAsync(draft.Type, solved);
            step = SetupStep.Review;
        }, L["FailedPow"]);
    }

    private string? deviceName;

    private async Task SignAndRegisterAsync()
    {
        if (draft is null || solved is null) return;
        step = SetupStep.Signing;
        await RunAsync(async () =>
        {
            string signature;
            if (walletAccount is not null)
            {
                // The wallet shows the PatientRegister struct and signs it; a refusal submits nothing.
                var typedData = Onboarding.WalletTypedDataFor(solved);
                if (!typedData.IsOk) { error = KeyWords.Explain(typedData.Error, typedData.Message); step = SetupStep.Review; return; }
                var body = PatientKeys.StringOf(solved, "wallet")!;
                var signed = await Wallet.SignAsync(WalletProviderId, body, typedData.Value!, Ledger.Reader.WalletDomain.ChainId);
                if (!signed.IsOk) { error = KeyWords.Explain(signed.Error, signed.Message); step = SetupStep.Review; return; }
                signature = signed.Value!;
            }
            else signature = await Browser.SignAsync(Owner, draft.Type, solved);
            var result = await Onboarding.CompleteAsync(User, solved, signature);
            if (!result.IsOk)
            {
                // The ledger or the server refused this draft (expired, proof of work, changed details): a fresh one is
                // needed. A failure in the browser, by contrast, is retried with the same stamped draft.
                error = KeyWords.Explain(result.Error, result.Message);
                refused = true;
                step = SetupStep.Review;
                return;
            }
            outcome = result.Value;
            step = SetupStep.Done;
            if (!string.IsNullOrWhiteSpace(deviceName))
            {
                // Registered either way; a name the form refused (it cannot, within its limits) is asked again on My devices.
                await Keys.NameDeviceAsync(User, walletAccount is not null ? new PatientSigner.Wallet(walletAccount).Kid : BrowserKey!.Thumbprint(), deviceName);
            }
            await ReloadAsync();
        }, L["FailedSigning"]);
    }

    private async Task RetryAsync()
    {
        error = null;
        if (BrowserKey is null && walletAccount is null) { step = SetupStep.MakeKey; return; }
        // A signed draft older than a couple of minutes may be outside the ledger's clock window: stamp a fresh one.
        if (solved is null || refused || step == SetupStep.SolvingPow || IsStale(solved)) await StampAsync();
        else await SignAndRegisterAsync();
    }

    private async Task RunAsync(Func<Task> work, string whatFailed)
    {
        busy = true;
        error = null;
        try
        {
            await work();
        }
        catch (JSException e)
        {
            error = L["Failure", whatFailed, e.Message];
        }
        catch (TaskCanceledException)
        {
            error = L["NoAnswer", whatFailed];
        }
        finally
        {
            busy = false;
        }
    }

    private static bool IsStale(JsonObject body)
        => body["ts"] is JsonValue v && v.TryGetValue<long>(out var ts) && DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(ts) > TimeSpan.FromMinutes(2);

    /// <summary>The patient's clock: the signed time day first in their zone (the body keeps milliseconds since 1970 UTC).</summary>
    [CascadingParameter] private Times.UserTime Clock { get; set; } = Times.UserTime.Default;

    private string TimeOf(JsonObject body)
        => body["ts"] is JsonValue v && v.TryGetValue<long>(out var ts) ? $"{Clock.FormatSeconds(DateTimeOffset.FromUnixTimeMilliseconds(ts))} ({Clock.ZoneName})" : "";

    private static string Short(string? text) => text is null ? "" : text.Length > 16 ? text[..16] + "…" : text;

    /// <summary>Progress from the worker, applied on the circuit.</summary>
    private sealed class Progress(KeySetup page) : IProgress<PowAttempts>
    {
        public void Report(PowAttempts value) => _ = page.InvokeAsync(() =>
        {
            if (value.Attempts >= page.pow.Attempts) page.pow = value;
            page.StateHasChanged();
        });
    }
}
