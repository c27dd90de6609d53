using System.Security.Claims;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;

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
    protected DeviceKey? ThisDevice => View?.KeyOf(BrowserKey);

    /// <summary>The IndexedDB owner of this account's key: the user id, stable across sign-ins.</summary>
    protected string Owner => View?.UserId ?? "";

    private bool _subscribed;

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
            BrowserError = "This browser's key store cannot be used: " + e.Message;
        }
        BrowserRead = true;
    }

    protected async Task ReloadAsync()
    {
        View = await Keys.LoadAsync(User);
        if (BrowserRead) await ReadBrowserKeyAsync();
    }

    private void OnBlockCommitted(CommittedBlock block)
    {
        // Raised on the sequencer thread: only look, then move onto the circuit.
        var mpi = View?.Mpi;
        if (mpi is null || !block.Transactions.Any(t => t.GetString("mpi") == mpi)) return;
        _ = InvokeAsync(async () =>
        {
            await ReloadAsync();
            await OnLedgerChangedAsync();
            StateHasChanged();
        });
    }

    public virtual void Dispose()
    {
        if (_subscribed) Ledger.Engine.BlockCommitted -= OnBlockCommitted;
        GC.SuppressFinalize(this);
    }
}
