using System.Globalization;
using System.Text.Json;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Crypto.Wallet;
using Microsoft.JSInterop;

namespace HealthPortal.Features.Keys;

/// <summary>An answer from the browser's Ethereum wallet: a value, or an EIP-1193 error code and message.</summary>
public sealed record WalletAnswer(string? Value, int? Error, string? Message)
{
    /// <summary>EIP-1193: the user rejected the request.</summary>
    public bool Declined => Error == 4001;
}

/// <summary>A wallet found in the page (EIP-6963 announcement, or the legacy <c>window.ethereum</c>).</summary>
public sealed record WalletProvider(string Id, string Name, string Rdns);

/// <summary>Why the wallet gave no signature. In every case nothing was submitted.</summary>
public enum WalletProblem
{
    None,
    /// <summary>No wallet in this browser (no EIP-6963 announcement, no <c>window.ethereum</c>).</summary>
    NoWallet,
    /// <summary>The wallet shares no account (locked, or this site not connected) or answered 4100 Unauthorized.</summary>
    Locked,
    /// <summary>The user rejected the request in the wallet (EIP-1193 4001).</summary>
    Rejected,
    /// <summary>The wallet is already showing a request (-32002).</summary>
    Busy,
    /// <summary>The wallet's account is not the linked wallet the patient chose.</summary>
    WrongAccount,
    /// <summary>The wallet is on another chain id than the ledger's EIP-712 domain.</summary>
    WrongChain,
    /// <summary>Any other failure of the wallet (its message is shown).</summary>
    Failed,
}

/// <summary>
/// The patient's Ethereum wallets in this browser, through <c>wwwroot/js/wallet.js</c> (EIP-1193 providers found by
/// EIP-6963). The private key stays in the wallet; the server sees the address and signatures only. One per circuit.
/// </summary>
public sealed class BrowserWallet(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module => _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/wallet.js").AsTask();

    /// <summary>True when a wallet is in the page.</summary>
    public async Task<bool> IsAvailableAsync() => await (await Module).InvokeAsync<bool>("hasWallet");

    /// <summary>The wallets in the page, in the order they announced themselves.</summary>
    public async Task<IReadOnlyList<WalletProvider>> ListAsync() => await (await Module).InvokeAsync<WalletProvider[]>("listWallets");

    /// <summary>Asks the wallet for an account (<c>eth_requestAccounts</c>); <paramref name="walletId"/> null is the first wallet found.</summary>
    public async Task<WalletAnswer> RequestAccountAsync(string? walletId = null) => await (await Module).InvokeAsync<WalletAnswer>("requestAccount", walletId);

    /// <summary>Asks the wallet to sign EIP-712 typed data (<c>eth_signTypedData_v4</c>); the value is the 0x-hex signature.</summary>
    public async Task<WalletAnswer> SignTypedDataAsync(string account, string typedDataJson, string? walletId = null)
        => await (await Module).InvokeAsync<WalletAnswer>("signTypedData", walletId, account, typedDataJson);

    /// <summary>
    /// Has <paramref name="address"/> (a wallet linked to the patient) sign <paramref name="typedDataJson"/> in the
    /// wallet <paramref name="walletId"/>, after checking that the wallet is there, unlocked, has that account and is
    /// on <paramref name="chainId"/>: every refusal is a <see cref="WalletProblem"/> with a sentence that ends in what
    /// happened to the submission (nothing was submitted). The value is the 0x-hex signature.
    /// </summary>
    public async Task<Result<string, WalletProblem>> SignAsync(string? walletId, string address, string typedDataJson, long chainId)
    {
        var module = await Module;
        if (!await module.InvokeAsync<bool>("hasWallet"))
            return Result.Fail(WalletProblem.NoWallet, "No Ethereum wallet was found in this browser. Open this page where your wallet is installed (or in your wallet app's browser), or sign with this browser's key. Nothing was submitted.");

        var accounts = await module.InvokeAsync<WalletAnswer>("requestAccounts", walletId);
        if (accounts.Value is null) return Refusal(accounts, "share its accounts");
        var shared = JsonSerializer.Deserialize<string[]>(accounts.Value) ?? [];
        if (shared.Length == 0)
            return Result.Fail(WalletProblem.Locked, "Your wallet is locked or not connected to this site: unlock it, connect it, and try again. Nothing was submitted.");
        if (!shared.Any(a => SameAddress(a, address)))
            return Result.Fail(WalletProblem.WrongAccount, $"Your wallet's account is {Display(shared[0])}, but the wallet linked to you is {address}. Select {address} in your wallet and try again. Nothing was submitted.");

        var chain = await module.InvokeAsync<WalletAnswer>("chainId", walletId);
        if (chain.Value is null) return Refusal(chain, "say which network it is on");
        if (ParseChainId(chain.Value) != chainId)
            return Result.Fail(WalletProblem.WrongChain, $"Your wallet is on the network with chain id {Display(chain.Value)}; this ledger's signatures name chain id {chainId}. Select (or add) a network with chain id {chainId} in your wallet — it only names this ledger, nothing is sent on it — and try again. Nothing was submitted.");

        var signature = await module.InvokeAsync<WalletAnswer>("signTypedData", walletId, address, typedDataJson);
        return signature.Value is { } value ? value : Refusal(signature, "sign");
    }

    private static Failure<WalletProblem> Refusal(WalletAnswer answer, string what) => answer switch
    {
        { Declined: true } => Result.Fail(WalletProblem.Rejected, $"You rejected the request in your wallet. Nothing was submitted."),
        { Error: 4100 } => Result.Fail(WalletProblem.Locked, "Your wallet is locked or not connected to this site: unlock it, connect it, and try again. Nothing was submitted."),
        { Error: -32002 } => Result.Fail(WalletProblem.Busy, "Your wallet is already asking you something: open it and answer, then try again. Nothing was submitted."),
        { Error: -3 } => Result.Fail(WalletProblem.NoWallet, "That wallet is no longer in this page; reload the page and try again. Nothing was submitted."),
        // MetaMask refuses typed data for another chain with an RPC error naming "chainId".
        { Message: { } m } when m.Contains("chainid", StringComparison.OrdinalIgnoreCase) =>
            Result.Fail(WalletProblem.WrongChain, $"Your wallet refused because it is on another network than this ledger's chain id. Nothing was submitted. ({m})"),
        _ => Result.Fail(WalletProblem.Failed, $"Your wallet did not {what}: {Display(answer.Message ?? "no answer")}. Nothing was submitted."),
    };

    private static bool SameAddress(string a, string b)
        => EthereumAddress.TryParse(a, out var x, out _) && EthereumAddress.TryParse(b, out var y, out _) && x.Equals(y);

    /// <summary>A chain id as wallets give it (0x-hex by EIP-1193; decimal from a few); -1 when unreadable.</summary>
    public static long ParseChainId(string text)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && hex >= 0 ? hex : -1;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : -1;
    }

    // What a wallet sends is shown to the patient: keep it short and printable.
    private static string Display(string text)
    {
        var clean = new string([.. text.Where(c => !char.IsControl(c))]);
        return clean.Length <= 120 ? clean : clean[..120] + "…";
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true } module)
        {
            try { await module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { }
        }
    }
}
