using System.Security.Claims;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Keys;

/// <summary>
/// Base of the patient's key pages: the signed-in patient's registration and keys (from the server) and this
/// browser's key (from IndexedDB, readable only once the circuit is interactive). Re-reads both when a block
/// touching the patient lands, so every open page follows changes made elsewhere.
/// </summary>
public abstract class PatientKeyPage : ComponentBase, IDisposable
{
    [Inject] protected PatientKeys Keys { get; set; } = default!;
    [Inject] protected BrowserKeys Browser { get; set; } = default!;
    [Inject] protected LedgerHost Ledger { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected ClaimsPrincipal User { get; private set; } = new();
    protected PatientKeyView? View { get; private set; }

    /// <summary>This browser's public key for the account, once read.</summary>
    protected Jwk? BrowserKey { get; private set; }

    /// <summary>True once this browser's key store has been read (after the first interactive render).</summary>
    protected bool BrowserRead { get; private set; }

    /// <summary>Set when the browser's key store could not be used (no WebCrypto, IndexedDB blocked).</summary>
    protected string? BrowserError { get; set; }

    protected BrowserKeyState KeyState => View?.StateOf(BrowserKey) ?? BrowserKeyState.None;

    // ---- signing with this browser's key or a linked wallet ------------------------------------------------

    // Made here from the JS runtime rather than injected, so the pages ask nothing more of their hosts than before.
    [Inject] private IJSRuntime JS { get; set; } = default!;
    private BrowserWallet? _wallet;
    protected BrowserWallet Wallet => _wallet ??= new BrowserWallet(JS);

    /// <summary>What signs: <see cref="SignerChoice.Browser"/> or the address of one of the patient's active wallets.</summary>
    protected string SignWith { get; set; } = SignerChoice.Browser;

    /// <summary>The wallet in the page the patient chose (EIP-6963 uuid); null is the first one found.</summary>
    protected string? WalletProviderId { get; set; }

    /// <summary>The wallets found in the page (read once the browser is ready, when the patient has a wallet key).</summary>
    protected IReadOnlyList<WalletProvider> WalletProviders { get; private set; } = [];

    protected IReadOnlyList<string> ActiveWallets => View?.ActiveWallets ?? [];

    /// <summary>This browser's key can sign.</summary>
    protected bool BrowserCanSign => BrowserRead && KeyState == BrowserKeyState.Active;

    /// <summary>Some key of the patient can sign from here: this browser's, or a linked wallet (the wallet itself is asked when signing).</summary>
    protected bool CanSignAny => BrowserCanSign || (BrowserRead && ActiveWallets.Count > 0);

    /// <summary>True when the patient chose one of their wallets.</summary>
    protected bool SigningWithWallet => SignWith != SignerChoice.Browser && ActiveWallets.Contains(SignWith);

    /// <summary>
    /// Signs <paramref name="type"/>/<paramref name="body"/> with the chosen key: this browser's (ES256 over the
    /// canonical bytes) or the chosen wallet (<c>eth_signTypedData_v4</c> of the ledger's EIP-712 struct for it, which
    /// the wallet shows). A wallet's refusal is a <see cref="WalletProblem"/> with its sentence: the caller submits
    /// nothing then. A browser failure throws <see cref="JSException"/> as before.
    /// </summary>
    protected async Task<Result<(PatientSigner Signer, string Signature), WalletProblem>> SignForAsync(string type, System.Text.Json.Nodes.JsonObject body)
    {
        if (!SigningWithWallet) return (BrowserKey!, await Browser.SignAsync(Owner, type, body));
        var typedData = PatientSignatures.TypedDataJson(Ledger.Reader, type, body);
        if (!typedData.IsOk) return Result.Fail(WalletProblem.Failed, typedData.Message!);
        var signed = await Wallet.SignAsync(WalletProviderId, SignWith, typedData.Value!, Ledger.Reader.WalletDomain.ChainId);
        return signed.IsOk ? (new PatientSigner.Wallet(SignWith), signed.Value!) : Result.Fail(signed.Error, signed.Message!);
    }

    private async Task ReadWalletsAsync()
    {
        // Keep the choice valid as keys come and go; prefer this browser's key when it can sign.
        if (SignWith != SignerChoice.Browser && !ActiveWallets.Contains(SignWith)) SignWith = SignerChoice.Browser;
        if (SignWith == SignerChoice.Browser && !BrowserCanSign && ActiveWallets.Count > 0) SignWith = ActiveWallets[0];
        if (ActiveWallets.Count == 0 || WalletProviders.Count > 0) return;
        try
        {
            WalletProviders = await Wallet.ListAsync();
            WalletProviderId ??= WalletProviders.FirstOrDefault()?.Id;
        }
        catch (JSException)
        {
            // No wallet module in this page: signing with the wallet will say so.
        }
    }
    protected DeviceKey? ThisDevice => View?.KeyOf(BrowserKey);

    /// <summary>The IndexedDB owner of this account's key: the user id, stable across sign-ins.</summary>
    protected string Owner => View?.UserId ?? "";

    private bool _subscribed;

    // Made while the circuit renders the page, so it is the reader's language.
    private readonly System.Globalization.CultureInfo _readersCulture = System.Globalization.CultureInfo.CurrentUICulture;

    /// <summary>
    /// Runs <paramref name="work"/> on the circuit in the reader's language. A callback raised on another thread (the
    /// ledger's sequencer, a link or workflow event) carries that thread's culture into the render, which re-rendered
    /// the page in English under Burmese (seen in the Chromium journey of issue 15).
    /// </summary>
    protected Task InReadersLanguageAsync(Func<Task> work) => InvokeAsync(() =>
    {
        System.Globalization.CultureInfo.CurrentUICulture = _readersCulture;
        return work();
    });

    protected override async Task OnInitializedAsync()
    {
        User = (await AuthenticationState).User;
        View = await Keys.LoadAsync(User);
        Ledger.Engine.BlockCommitted += OnBlockCommitted;
        _subscribed = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || View is null) return;
        await ReadBrowserKeyAsync();
        await ReadWalletsAsync();
        await OnBrowserReadyAsync();
        StateHasChanged();
    }

    /// <summary>Runs once this browser's key is known; pages start their own browser work here.</summary>
    protected virtual Task OnBrowserReadyAsync() => Task.CompletedTask;

    /// <summary>Called (on the circuit) after a block that concerns this patient has been re-read.</summary>
    protected virtual Task OnLedgerChangedAsync() => Task.CompletedTask;

    protected async Task ReadBrowserKeyAsync()
    {
        try
        {
            BrowserKey = View is null ? null : await Browser.PublicKeyAsync(Owner);
            BrowserError = null;
        }
        catch (JSException e)
        {
            BrowserError = KeyWords.Format("KeyStoreFailed", e.Message);
        }
        BrowserRead = true;
    }

    protected async Task ReloadAsync()
    {
        View = await Keys.LoadAsync(User);
        if (BrowserRead)
        {
            await ReadBrowserKeyAsync();
            await ReadWalletsAsync();
        }
    }

    private void OnBlockCommitted(CommittedBlock block)
    {
        // Raised on the sequencer thread: only look, then move onto the circuit.
        var mpi = View?.Mpi;
        if (mpi is null || !block.Transactions.Any(t => t.GetString("mpi") == mpi)) return;
        _ = InReadersLanguageAsync(async () =>
        {
            await ReloadAsync();
            await OnLedgerChangedAsync();
            StateHasChanged();
        });
    }

    public virtual void Dispose()
    {
        if (_subscribed) Ledger.Engine.BlockCommitted -= OnBlockCommitted;
        if (_wallet is not null) _ = _wallet.DisposeAsync().AsTask();
        GC.SuppressFinalize(this);
    }
}
