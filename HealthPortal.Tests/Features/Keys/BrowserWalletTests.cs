using Bunit;
using HealthPortal.Features.Keys;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>
/// <see cref="BrowserWallet.SignAsync"/> against a scripted wallet module: each way a wallet can fail has its own
/// <see cref="WalletProblem"/>, and the wallet is asked to sign only once it is there, unlocked, on the linked account
/// and on the ledger's chain.
/// </summary>
public sealed class BrowserWalletTests : BunitContext
{
    private const string Linked = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";
    private const long Chain = 2_251_799_813_685_249;
    private static readonly string ChainHex = "0x" + Chain.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    private readonly BunitJSModuleInterop _module;

    public BrowserWalletTests()
    {
        JSInterop.Mode = JSRuntimeMode.Strict;
        _module = JSInterop.SetupModule("./js/wallet.js");
    }

    private BrowserWallet Wallet => new(JSInterop.JSRuntime);

    private void Wallets(bool present = true, WalletAnswer? accounts = null, WalletAnswer? chain = null, WalletAnswer? signature = null)
    {
        _module.Setup<bool>("hasWallet").SetResult(present);
        _module.Setup<WalletAnswer>("requestAccounts", _ => true).SetResult(accounts ?? new WalletAnswer($"[\"{Linked.ToLowerInvariant()}\"]", null, null));
        _module.Setup<WalletAnswer>("chainId", _ => true).SetResult(chain ?? new WalletAnswer(ChainHex, null, null));
        _module.Setup<WalletAnswer>("signTypedData", _ => true).SetResult(signature ?? new WalletAnswer("0x" + new string('1', 130), null, null));
    }

    private bool AskedToSign => JSInterop.Invocations.Any(i => i.Identifier == "signTypedData");

    [Fact]
    public async Task UnlockedOnTheLinkedAccountAndChain_SignsAndReturnsTheSignature()
    {
        Wallets();
        var result = await Wallet.SignAsync("uuid-1", Linked, "{}", Chain);
        Assert.True(result.IsOk, result.Message);
        Assert.Equal("0x" + new string('1', 130), result.Value);
        var sign = Assert.Single(JSInterop.Invocations, i => i.Identifier == "signTypedData");
        Assert.Equal(["uuid-1", Linked, "{}"], sign.Arguments);
    }

    [Fact]
    public async Task NoWallet_IsNoWallet_AndNothingIsAsked()
    {
        Wallets(present: false);
        Assert.Equal(WalletProblem.NoWallet, (await Wallet.SignAsync(null, Linked, "{}", Chain)).Error);
        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "requestAccounts");
    }

    [Theory]
    [InlineData("[]", null)]
    [InlineData(null, 4100)]
    public async Task NoAccountShared_IsLocked(string? accounts, int? error)
    {
        Wallets(accounts: new WalletAnswer(accounts, error, error is null ? null : "Unauthorized"));
        Assert.Equal(WalletProblem.Locked, (await Wallet.SignAsync(null, Linked, "{}", Chain)).Error);
        Assert.False(AskedToSign);
    }

    [Fact]
    public async Task AnotherAccountSelected_IsWrongAccount_AndNamesTheLinkedOne()
    {
        Wallets(accounts: new WalletAnswer("[\"0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2\"]", null, null));
        var result = await Wallet.SignAsync(null, Linked, "{}", Chain);
        Assert.Equal(WalletProblem.WrongAccount, result.Error);
        Assert.Contains(Linked, result.Message);
        Assert.False(AskedToSign);
    }

    [Fact]
    public async Task AnotherChain_IsWrongChain_BeforeAskingToSign()
    {
        Wallets(chain: new WalletAnswer("0x1", null, null));
        Assert.Equal(WalletProblem.WrongChain, (await Wallet.SignAsync(null, Linked, "{}", Chain)).Error);
        Assert.False(AskedToSign);
    }

    [Theory]
    [InlineData(4001, "User rejected the request.", WalletProblem.Rejected)]
    [InlineData(-32002, "Request already pending", WalletProblem.Busy)]
    [InlineData(-32603, "Provided chainId \"1\" must match the active chainId", WalletProblem.WrongChain)]
    [InlineData(-32603, "Internal error", WalletProblem.Failed)]
    public async Task WalletRefusesToSign_MapsItsCode(int code, string message, WalletProblem expected)
    {
        Wallets(signature: new WalletAnswer(null, code, message));
        var result = await Wallet.SignAsync(null, Linked, "{}", Chain);
        Assert.Equal(expected, result.Error);
        Assert.EndsWith("Nothing was submitted.", result.Message!.Split(" (")[0]);
    }
}
