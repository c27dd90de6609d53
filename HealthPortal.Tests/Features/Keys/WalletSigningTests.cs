using System.Text.Json.Nodes;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Ledger.Crypto.Wallet;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Signer;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>
/// A linked wallet signs every patient flow through the same services the pages call — grant.issue (also answering an
/// access request), grant.revoke, the co-signature of record.anchor, key.revoke — and each refusal keeps its code
/// and submits nothing. Nethereum keys stand in for the wallet (<c>eth_signTypedData_v4</c> over the ledger's typed data).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class WalletSigningTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Grants<T>(Func<PatientGrants, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientGrants>()));

    private Task<T> Keys<T>(Func<PatientKeys, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientKeys>()));

    /// <summary>What the wallet returns for type/body: 0x-hex of r‖s‖v over the ledger's own EIP-712 struct for it.</summary>
    private string WalletSign(EthECKey wallet, string type, JsonObject body)
    {
        var tx = Transaction.Create(type, body).ValueOrThrow();
        var data = Host.Reader.WalletTypedData(tx)!;
        return "0x" + Convert.ToHexStringLower(wallet.SignTyped(data, Host.Reader.WalletDomain));
    }

    private async Task<(TestPatient Patient, EthECKey Wallet)> PatientWithWalletAsync()
    {
        var patient = await portal.RegisteredPatientAsync();
        var wallet = EthECKey.GenerateKey();
        var draft = (await Keys(k => k.DraftWalletLinkAsync(patient.Principal, wallet.Address()))).ValueOrThrow();
        var linked = await Keys(k => k.CompleteWalletLinkAsync(patient.Principal, draft.Body, patient.Key!.Jwk, patient.Key.Sign(TxType.KeyAdd, draft.Body), WalletSign(wallet, TxType.KeyAdd, draft.Body)));
        Assert.True(linked.IsOk, linked.Message);
        return (patient, wallet);
    }

    private static GrantInput Input() => new()
    {
        FacilityId = Lakeview, Kinds = [RecordKinds.LabResult], Purpose = GrantPurposes.Treatment,
        Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(30),
    };

    private async Task<JsonObject> DraftGrantAsync(TestPatient patient)
    {
        var draft = await Grants(g => g.DraftIssueAsync(patient.Principal, Input()));
        Assert.True(draft.IsOk);
        return draft.Value!.Body;
    }

    [Fact]
    public async Task GrantIssueAndRevoke_SignedByTheLinkedWallet_CommitWithTheWalletAsSigner()
    {
        var (patient, wallet) = await PatientWithWalletAsync();
        var body = await DraftGrantAsync(patient);

        var typed = (await Grants(g => Task.FromResult(g.WalletTypedData(TxType.GrantIssue, body)))).Value!;
        var issued = await Grants(g => g.IssueAsync(patient.Principal, body, new PatientSigner.Wallet(wallet.Address()), WalletSign(wallet, TxType.GrantIssue, body)));

        Assert.True(issued.IsOk, issued.Message);
        Assert.Contains("\"primaryType\":\"GrantIssue\"", typed);
        Assert.Contains("\"facilityName\":\"Lakeview Family Clinic\"", typed);
        var signer = Assert.Single(Host.Engine.GetReceipt(issued.Value!.GrantId)!.Transaction.Signatures);
        Assert.Equal(wallet.Address(), signer.Kid);

        var revokeBody = (await Grants(g => g.DraftRevokeAsync(patient.Principal, issued.Value.GrantId))).ValueOrThrow();
        var revoked = await Grants(g => g.RevokeAsync(patient.Principal, revokeBody, new PatientSigner.Wallet(wallet.Address().ToLowerInvariant()), WalletSign(wallet, TxType.GrantRevoke, revokeBody)));

        Assert.True(revoked.IsOk, revoked.Message);
        Assert.NotNull(Host.Reader.Grant(issued.Value.GrantId)!.RevokedHeight);
    }

    [Fact]
    public async Task GrantIssue_SignedByAnotherAccountThanTheChosenWallet_IsRefusedAndNothingIsSubmitted()
    {
        var (patient, wallet) = await PatientWithWalletAsync();
        var body = await DraftGrantAsync(patient);
        var count = Host.Engine.TransactionCount;

        var outcome = await Grants(g => g.IssueAsync(patient.Principal, body, new PatientSigner.Wallet(wallet.Address()), WalletSign(EthECKey.GenerateKey(), TxType.GrantIssue, body)));

        Assert.Equal(LedgerError.WalletSignatureRefused, outcome.Error);
        Assert.StartsWith(nameof(WalletSignatureError.WrongSigner), outcome.Message);
        Assert.Equal(count, Host.Engine.TransactionCount);
    }

    [Fact]
    public async Task GrantIssue_WalletSignatureOverAChangedBody_IsRefused()
    {
        var (patient, wallet) = await PatientWithWalletAsync();
        var body = await DraftGrantAsync(patient);
        var signature = WalletSign(wallet, TxType.GrantIssue, body);
        body["purpose"] = GrantPurposes.Referral; // what the wallet showed is not what would be submitted

        var outcome = await Grants(g => g.IssueAsync(patient.Principal, body, new PatientSigner.Wallet(wallet.Address()), signature));

        Assert.Equal(LedgerError.WalletSignatureRefused, outcome.Error);
    }

    [Fact]
    public async Task GrantIssue_ByAWalletThatIsNotLinkedToThePatient_IsSignerNotAuthorized()
    {
        var (patient, _) = await PatientWithWalletAsync();
        var (_, othersWallet) = await PatientWithWalletAsync();
        var stranger = EthECKey.GenerateKey();
        var body = await DraftGrantAsync(patient);

        var byOthers = await Grants(g => g.IssueAsync(patient.Principal, body, new PatientSigner.Wallet(othersWallet.Address()), WalletSign(othersWallet, TxType.GrantIssue, body)));
        var byStranger = await Grants(g => g.IssueAsync(patient.Principal, body, new PatientSigner.Wallet(stranger.Address()), WalletSign(stranger, TxType.GrantIssue, body)));

        Assert.Equal(LedgerError.SignerNotAuthorized, byOthers.Error);
        Assert.Equal(LedgerError.SignerNotAuthorized, byStranger.Error);
    }

    [Fact]
    public async Task KeyRevoke_SignedByTheWallet_RevokesTheBrowserKey_AndARevokedWalletSignsNothing()
    {
        var (patient, wallet) = await PatientWithWalletAsync();
        var second = EthECKey.GenerateKey();
        var draft = (await Keys(k => k.DraftWalletLinkAsync(patient.Principal, second.Address()))).ValueOrThrow();
        Assert.True((await Keys(k => k.CompleteWalletLinkAsync(patient.Principal, draft.Body, patient.Key!.Jwk, patient.Key.Sign(TxType.KeyAdd, draft.Body), WalletSign(second, TxType.KeyAdd, draft.Body)))).IsOk);

        // The first wallet revokes the browser key, then the second wallet revokes the first wallet.
        var revokeBrowser = (await Keys(k => k.DraftRevokeAsync(patient.Principal, patient.Key!.Kid))).ValueOrThrow();
        var first = await Keys(k => k.RevokeAsync(patient.Principal, revokeBrowser, new PatientSigner.Wallet(wallet.Address()), WalletSign(wallet, TxType.KeyRevoke, revokeBrowser)));
        Assert.True(first.IsOk, first.Message);
        Assert.False(Host.Reader.Key(patient.Key!.Kid)!.IsActive);

        var revokeWallet = (await Keys(k => k.DraftRevokeAsync(patient.Principal, wallet.Address()))).ValueOrThrow();
        var then = await Keys(k => k.RevokeAsync(patient.Principal, revokeWallet, new PatientSigner.Wallet(second.Address()), WalletSign(second, TxType.KeyRevoke, revokeWallet)));
        Assert.True(then.IsOk, then.Message);

        var body = await DraftGrantAsync(patient);
        var count = Host.Engine.TransactionCount;
        var byRevoked = await Grants(g => g.IssueAsync(patient.Principal, body, new PatientSigner.Wallet(wallet.Address()), WalletSign(wallet, TxType.GrantIssue, body)));
        Assert.Equal(LedgerError.RevokedKey, byRevoked.Error);
        Assert.Equal(count, Host.Engine.TransactionCount);
    }

    [Fact]
    public async Task Cosign_WithTheWallet_AnchorsSignedByFacilityAndWallet()
    {
        var (patient, wallet) = await PatientWithWalletAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit);
        var toSign = (await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)))!;
        var typed = PatientSignatures.TypedDataJson(Host.Reader, toSign[0].Type, toSign[0].Body).Value!;
        var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, WalletSign(wallet, t.Type, t.Body))).ToList();

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, new PatientSigner.Wallet(wallet.Address()), signatures));

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Contains("\"primaryType\":\"RecordCosign\"", typed);
        var entry = Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId)!;
        var signers = Host.Engine.GetReceipt(entry.TxId)!.Transaction.Signatures.Select(s => s.Kid).ToHashSet();
        Assert.Equal(new HashSet<string> { prepared.FacilityNodeId, wallet.Address() }, signers);
    }

    [Fact]
    public async Task Cosign_WithAWalletSignatureByAnotherAccount_IsBadSignatureAndStaysPending()
    {
        var (patient, wallet) = await PatientWithWalletAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit);
        var toSign = (await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)))!;
        var other = EthECKey.GenerateKey();
        var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, WalletSign(other, t.Type, t.Body))).ToList();

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, new PatientSigner.Wallet(wallet.Address()), signatures));

        Assert.Equal(AnchorError.BadSignature, outcome.Code);
        Assert.Equal(AnchorStatus.Pending, outcome.Status);
        Assert.Null(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId));
    }

    private Task<T> Onboarding<T>(Func<PatientOnboarding, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientOnboarding>()));

    [Fact]
    public async Task SignUp_WithAWalletAsFirstKey_RegistersThePatient_AndTheWalletThenSignsAGrant()
    {
        var patient = await portal.NewPatientAsync();
        var wallet = EthECKey.GenerateKey();

        var draft = (await Onboarding(o => o.DraftWalletAsync(patient.Principal, wallet.Address().ToLowerInvariant()))).ValueOrThrow();
        Assert.Equal(wallet.Address(), draft.Body["wallet"]!.GetValue<string>());
        Assert.False(draft.Body.ContainsKey("key"));
        var solved = ProofOfWork.Solve(draft.Type, draft.Body, draft.PowBits);
        var typed = (await Onboarding(o => Task.FromResult(o.WalletTypedDataFor(solved)))).Value!;
        var done = await Onboarding(o => o.CompleteAsync(patient.Principal, solved, WalletSign(wallet, TxType.PatientRegister, solved)));

        Assert.True(done.IsOk, done.Message);
        Assert.Contains("\"primaryType\":\"PatientRegister\"", typed);
        Assert.True(Host.Reader.Key(wallet.Address()) is { IsWallet: true, IsActive: true } key && key.Mpi == done.Value!.Mpi);
        var registered = patient with { Mpi = done.Value!.Mpi };
        var body = await DraftGrantAsync(registered);
        var issued = await Grants(g => g.IssueAsync(registered.Principal, body, new PatientSigner.Wallet(wallet.Address()), WalletSign(wallet, TxType.GrantIssue, body)));
        Assert.True(issued.IsOk, issued.Message);
    }

    [Fact]
    public async Task SignUp_WithAWallet_SignedByAnotherAccount_IsBadSignature_AndNothingIsRegistered()
    {
        var patient = await portal.NewPatientAsync();
        var wallet = EthECKey.GenerateKey();
        var draft = (await Onboarding(o => o.DraftWalletAsync(patient.Principal, wallet.Address()))).ValueOrThrow();
        var solved = ProofOfWork.Solve(draft.Type, draft.Body, draft.PowBits);

        var done = await Onboarding(o => o.CompleteAsync(patient.Principal, solved, WalletSign(EthECKey.GenerateKey(), TxType.PatientRegister, solved)));

        Assert.Equal(KeyError.BadSignature, done.Error);
        Assert.Null(Host.Reader.Patient(draft.Mpi));
        Assert.Null(Host.Reader.Key(wallet.Address()));
    }

    [Theory]
    [InlineData("0x1", 1L)]
    [InlineData("0xAbC", 0xABCL)]
    [InlineData("137", 137L)]
    [InlineData("0x", -1L)]
    [InlineData("chain", -1L)]
    public void ParseChainId_ReadsHexAndDecimal(string text, long expected) => Assert.Equal(expected, BrowserWallet.ParseChainId(text));
}
