using Microsoft.JSInterop;

namespace HealthPortal.Features.Keys;

/// <summary>An answer from the browser's Ethereum wallet: a value, or an EIP-1193 error code and message.</summary>
public sealed record WalletAnswer(string? Value, int? Error, string? Message)
{
    /// <summary>EIP-1193: the user rejected the request.</summary>
    public bool Declined => Error == 4001;
}

/// <summary>
/// The patient's Ethereum wallet in this browser, through <c>wwwroot/js/wallet.js</c> (EIP-1193 <c>window.ethereum</c>).
/// The private key stays in the wallet; the server sees the address and signatures only. One per circuit.
/// </summary>
public sealed class BrowserWallet(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module => _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/wallet.js").AsTask();

    /// <summary>True when a wallet has injected an EIP-1193 provider into the page.</summary>
    public async Task<bool> IsAvailableAsync() => await (await Module).InvokeAsync<bool>("hasWallet");

    /// <summary>Asks the wallet for an account (<c>eth_requestAccounts</c>).</summary>
    public async Task<WalletAnswer> RequestAccountAsync() => await (await Module).InvokeAsync<WalletAnswer>("requestAccount");

    /// <summary>Asks the wallet to sign EIP-712 typed data (<c>eth_signTypedData_v4</c>); the value is the 0x-hex signature.</summary>
    public async Task<WalletAnswer> SignTypedDataAsync(string account, string typedDataJson)
        => await (await Module).InvokeAsync<WalletAnswer>("signTypedData", account, typedDataJson);

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true } module)
        {
            try { await module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { }
        }
    }
}
