using System.Security.Claims;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Ledger.Crypto.Wallet;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Signer;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>
/// A consortium admin's wallet through the services the admin pages use: linking it (admin.add with the wallet's proof,
/// co-signed by the server-held key), then deciding a registration with it; a wallet that refuses submits nothing.
/// Nethereum keys stand in for the wallet (the browser side is the E2E test's).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AdminWalletsTests(PortalFactory portal)
{
    private LedgerHost Ledger => portal.Services.GetRequiredService<LedgerHost>();

    private Task<ClaimsPrincipal> AdminAsync() => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

    private Task<T> With<T>(Func<AdminWallets, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<AdminWallets>()));

    private Task<T> Registrations<T>(Func<NodeRegistrations, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<NodeRegistrations>()));

    /// <summary>What the admin's wallet does for a page: sign the ledger's typed data for exactly this transaction.</summary>
    private AdminSign WalletOf(EthECKey key) => unsigned => Task.FromResult<Result<Transaction, KeyError>>(
        unsigned.WithSignature(key.GetPublicAddress(), key.SignTyped(Ledger.Reader.WalletTypedData(unsigned)!, Ledger.Reader.WalletDomain)));

    private async Task<string> LinkAsync(ClaimsPrincipal admin, EthECKey key)
    {
        var prepared = await With(s => s.PrepareLinkAsync(admin, key.GetPublicAddress().ToLowerInvariant()));
        Assert.True(prepared.IsOk, prepared.Message);
        var (tx, typedData) = prepared.Value;
        Assert.Contains("\"primaryType\":\"AdminAdd\"", typedData);
        var signature = "0x" + Convert.ToHexStringLower(key.SignTyped(Ledger.Reader.WalletTypedData(tx)!, Ledger.Reader.WalletDomain));
        var linked = await With(s => s.CompleteLinkAsync(admin, tx, signature));
        Assert.True(linked.IsOk, linked.Message);
        return linked.Value!;
    }

    private async Task<AdmissionDone> ApplyAsync()
    {
        var applied = await Registrations(s => s.ApplyAsync(new JoinRequest($"Wallet Clinic {Guid.NewGuid():N}", FacilityKind.Clinic, "desk@clinic.example", "https://clinic.example/fhir")));
        Assert.True(applied.IsOk, applied.ToString());
        return applied.Value!;
    }

    [Fact]
    public async Task Revoke_RemovesAWalletAdmin_WhoseSignaturesTheLedgerThenRefuses()
    {
        var admin = await AdminAsync();
        var key = EthECKey.GenerateKey();
        try
        {
            var address = await LinkAsync(admin, key);
            Assert.Contains(await With(s => s.WalletAdminsAsync(admin)), a => a.Id == address && a.IsActive);

            var revoked = await With(s => s.RevokeAsync(admin, address.ToLowerInvariant()));

            Assert.True(revoked.IsOk, revoked.Message);
            Assert.Equal(address, revoked.Value);
            Assert.False(Ledger.Reader.IsAdmin(address));
            Assert.Equal(new AdminWalletStatus(address, false, true), await With(s => s.StatusAsync(admin)));
            Assert.Contains(await With(s => s.WalletAdminsAsync(admin)), a => a.Id == address && !a.IsActive);
            var applied = await ApplyAsync();
            var approved = await Registrations(s => s.ApproveAsync(admin, applied.FacilityId!, sign: WalletOf(key)));
            Assert.False(approved.IsOk);
            Assert.True(Ledger.Reader.Node(applied.NodeKeyId!) is { Status: NodeStatus.Pending });

            var again = await With(s => s.RevokeAsync(admin, address));
            Assert.Equal(KeyError.KeyNotActive, again.Error);
        }
        finally
        {
            await With(s => s.UnlinkAsync(admin));
        }
    }

    [Theory]
    [InlineData("not-an-address", KeyError.Unreadable)]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7", KeyError.NotYours)] // EIP-55's example: valid, never an admin
    public async Task Revoke_OfSomethingThatIsNotAWalletAdmin_IsRefusedWithItsCode(string address, KeyError expected)
    {
        var admin = await AdminAsync();

        var revoked = await With(s => s.RevokeAsync(admin, address));

        Assert.Equal(expected, revoked.Error);
        Assert.False(revoked.IsOk);
    }

    [Fact]
    public async Task Link_MakesTheWalletALedgerAdmin_AndItApprovesARegistration()
    {
        var admin = await AdminAsync();
        var key = EthECKey.GenerateKey();
        try
        {
            var address = await LinkAsync(admin, key);

            Assert.Equal(key.GetPublicAddress(), address);
            Assert.Equal(new AdminWalletStatus(address, true, false), await With(s => s.StatusAsync(admin)));
            Assert.True(Ledger.Reader.IsAdmin(address));
            var applied = await ApplyAsync();
            var approved = await Registrations(s => s.ApproveAsync(admin, applied.FacilityId!, sign: WalletOf(key)));
            Assert.True(approved.IsOk, approved.Message);
            Assert.True(Ledger.Reader.Node(applied.NodeKeyId!) is { Status: NodeStatus.Approved, DecidedBy: var by } && by == address);
        }
        finally
        {
            await With(s => s.UnlinkAsync(admin));
        }
        Assert.Null((await With(s => s.StatusAsync(admin)))!.Address);
    }

    [Fact]
    public async Task AWalletThatRefuses_SubmitsNothing_AndTheApplicationStaysPending()
    {
        var admin = await AdminAsync();
        var applied = await ApplyAsync();
        var before = Ledger.Engine.TransactionCount;
        AdminSign refusing = _ => Task.FromResult<Result<Transaction, KeyError>>(Result.Fail(KeyError.BadSignature, "You rejected the request in your wallet. Nothing was submitted."));

        var rejected = await Registrations(s => s.RejectAsync(admin, applied.FacilityId!, NodeDecisionReasons.NotAccredited, sign: refusing));

        Assert.Equal(AdmissionError.WalletRefused, rejected.Error);
        Assert.Equal("You rejected the request in your wallet. Nothing was submitted.", rejected.Message);
        Assert.Equal(before, Ledger.Engine.TransactionCount);
        Assert.Equal(NodeStatus.Pending, Ledger.Reader.Node(applied.NodeKeyId!)!.Status);
    }

    [Fact]
    public async Task Link_WithASignatureByAnotherKey_IsRefused_AndNothingIsLinked()
    {
        var admin = await AdminAsync();
        var key = EthECKey.GenerateKey();
        var prepared = await With(s => s.PrepareLinkAsync(admin, key.GetPublicAddress()));
        var (tx, _) = prepared.Value;
        var other = EthECKey.GenerateKey();
        var signature = "0x" + Convert.ToHexStringLower(other.SignTyped(Ledger.Reader.WalletTypedData(tx)!, Ledger.Reader.WalletDomain));

        var linked = await With(s => s.CompleteLinkAsync(admin, tx, signature));

        Assert.Equal(KeyError.BadSignature, linked.Error);
        Assert.Contains(other.GetPublicAddress(), linked.Message);
        Assert.False(Ledger.Reader.IsAdmin(key.GetPublicAddress()));
        Assert.Null((await With(s => s.StatusAsync(admin)))!.Address);
    }

    [Fact]
    public async Task NotAnAdmin_CannotLinkAnAdminWallet()
    {
        var patient = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Patient));

        var prepared = await With(s => s.PrepareLinkAsync(patient, EthECKey.GenerateKey().GetPublicAddress()));

        Assert.Equal(KeyError.Forbidden, prepared.Error);
        Assert.Null(await With(s => s.StatusAsync(patient)));
    }
}
