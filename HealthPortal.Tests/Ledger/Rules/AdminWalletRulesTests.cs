using System.Numerics;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Ledger.Crypto.Wallet;
using HealthPortal.Tests.Support;
using Nethereum.Signer;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// Consortium admins that are Ethereum wallets: listed in genesis or added by <c>admin.add</c>, removed by
/// <c>admin.revoke</c>, and signing node decisions and recovery co-signatures as EIP-712 typed data.
/// </summary>
public sealed class AdminWalletRulesTests
{
    private const string Mpi = "MPI-0001";

    private static async Task<LedgerKeyPair> Pending(LedgerKit kit, string name = "Harbour Clinic", string endpoint = "https://harbour.example")
    {
        var key = LedgerKeyPair.Create();
        await kit.MustCommit(kit.Tx.NodeRegister(key.PublicJwk, NodeKind.Clinic, name, endpoint, kit.Genesis.Parameters.FacilityPowBits).SignWith(key));
        return key;
    }

    [Fact]
    public async Task AdminAdd_ByTheGenesisAdmin_ThenTheWalletApprovesAnApplication()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit);

        await kit.MustCommit(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), wallet));

        Assert.True(kit.Engine.Reader.IsAdmin(wallet.Address()));
        Assert.True(kit.Engine.Reader.Admin(wallet.Address()) is { IsWallet: true, IsActive: true, AddedBy: var by } && by == kit.Admin.Id);
        Assert.Equal(2, kit.Engine.Reader.AdminList.Count);
        Assert.True(kit.Engine.State.Node(clinic.Id) is { Status: NodeStatus.Approved, DecidedBy: var decidedBy } && decidedBy == wallet.Address());
        Assert.Equal(KeyHolder.Admin, kit.Engine.Reader.HolderOf(wallet.Address()));
    }

    [Fact]
    public async Task NodeRejectAndRevoke_SignedByAnAdminWallet_CarryTheReasonCode()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var rejected = await Pending(kit);
        var member = await kit.ApprovedFacility();
        var reject = kit.Tx.NodeReject(rejected.Id, NodeDecisionReasons.NotAccredited);

        Assert.Equal(NodeDecisionReasons.NotAccredited, kit.Engine.Reader.WalletTypedData(reject)!.Members.Single(m => m.Name == "reason").Value);
        await kit.MustCommit(kit.WalletSigned(reject, wallet));
        await kit.MustCommit(kit.WalletSigned(kit.Tx.NodeRevoke(member.Id, NodeDecisionReasons.SecurityIncident), wallet));

        Assert.Equal(NodeStatus.Rejected, kit.Engine.State.Node(rejected.Id)!.Status);
        Assert.True(kit.Engine.State.Node(member.Id) is { Status: NodeStatus.Revoked, Reason: NodeDecisionReasons.SecurityIncident });
    }

    [Fact]
    public async Task GenesisAdminWallet_SignsFromHeightZero_AndTheDocumentRoundTrips()
    {
        var wallet = EthECKey.GenerateKey();
        var admin = LedgerKeyPair.Create();
        var genesis = new Genesis("c", 1, [admin.PublicJwk], new GenesisNode(admin.PublicJwk, NodeKind.Hospital, "H", "https://h.example"),
            GenesisParameters.Default, AdminWallets: [wallet.Address()]);

        var back = Genesis.FromJson(genesis.ToJson());

        Assert.True(back.IsSuccess, back.Message);
        Assert.Equal([wallet.Address()], back.Value!.AdminWallets);
        Assert.Equal(genesis.Hash(), back.Value.Hash());
        Assert.False((genesis with { AdminWallets = null }).ToJson().ContainsKey("adminWallets"));
        Assert.True(new LedgerState(genesis).IsAdmin(wallet.Address()));
        // A wallet-only consortium is allowed; a lower-case spelling or a repeat is not.
        Assert.True((genesis with { Admins = [] }).Check().IsValid);
        Assert.Equal(LedgerError.InvalidField, (genesis with { AdminWallets = [wallet.Address().ToLowerInvariant()] }).Check().Error);
        Assert.Equal(LedgerError.InvalidField, (genesis with { AdminWallets = [wallet.Address(), wallet.Address()] }).Check().Error);
    }

    [Fact]
    public async Task GenesisAdminWallet_ApprovesOnARunningChain()
    {
        var wallet = EthECKey.GenerateKey();
        await using var kit = new LedgerKit(configureGenesis: g => g with { AdminWallets = [wallet.Address()] });
        var clinic = await Pending(kit);

        await kit.MustCommit(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), wallet));

        Assert.Equal(NodeStatus.Approved, kit.Engine.State.Node(clinic.Id)!.Status);
    }

    [Fact]
    public async Task AdminAdd_WithoutTheNewWalletsSignature_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        var other = EthECKey.GenerateKey();
        await kit.AdminWallet(other);

        await kit.MustRefuse(kit.WalletSigned(kit.Tx.AdminAdd(wallet.Address()).SignWith(kit.Admin), other), LedgerError.MissingSignature);
        await kit.MustRefuse(kit.Tx.AdminAdd(wallet.Address()).SignWith(kit.Admin), LedgerError.MissingSignature);
    }

    [Fact]
    public async Task AdminAdd_CoSignedByAPatientKey_IsRefusedSignerNotAuthorized()
    {
        await using var kit = new LedgerKit();
        var patient = await kit.Patient(Mpi);
        var wallet = EthECKey.GenerateKey();

        await kit.MustRefuse(kit.WalletSigned(kit.Tx.AdminAdd(wallet.Address()).SignWith(patient), wallet), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task AdminAdd_OfAnAdminOrAPatientsWallet_IsRefused()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var key = await kit.Patient(Mpi);
        var patientWallet = EthECKey.GenerateKey();
        await kit.MustCommit(kit.WalletSigned(kit.Tx.KeyAddWallet(Mpi, patientWallet.Address()).SignWith(key), patientWallet));

        await kit.MustRefuse(kit.WalletSigned(kit.Tx.AdminAdd(wallet.Address()).SignWith(kit.Admin), wallet), LedgerError.AdminAlreadyRegistered);
        await kit.MustRefuse(kit.WalletSigned(kit.Tx.AdminAdd(patientWallet.Address()).SignWith(kit.Admin), patientWallet), LedgerError.KeyAlreadyRegistered);
        // And the other way round: an admin's wallet does not become a patient's key.
        await kit.MustRefuse(kit.WalletSigned(kit.Tx.KeyAddWallet(Mpi, wallet.Address()).SignWith(key), wallet), LedgerError.KeyAlreadyRegistered);
    }

    [Fact]
    public async Task NodeApprove_ByAWalletThatIsNoAdmin_IsRefusedUnknownAdmin()
    {
        await using var kit = new LedgerKit();
        var clinic = await Pending(kit);

        await kit.MustRefuse(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), EthECKey.GenerateKey()), LedgerError.UnknownAdmin);
        Assert.Equal(NodeStatus.Pending, kit.Engine.State.Node(clinic.Id)!.Status);
    }

    [Fact]
    public async Task NodeApprove_ByAPatientsWallet_IsRefusedSignerNotAuthorized_AndAnAdminWalletCannotSignAGrant()
    {
        await using var kit = new LedgerKit();
        var clinic = await Pending(kit);
        var lab = await kit.ApprovedFacility();
        var key = await kit.Patient(Mpi);
        var patientWallet = EthECKey.GenerateKey();
        await kit.MustCommit(kit.WalletSigned(kit.Tx.KeyAddWallet(Mpi, patientWallet.Address()).SignWith(key), patientWallet));
        var admin = EthECKey.GenerateKey();
        await kit.AdminWallet(admin);

        await kit.MustRefuse(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), patientWallet), LedgerError.SignerNotAuthorized);
        await kit.MustRefuse(kit.WalletSigned(kit.Tx.GrantIssue(Mpi, lab.Id, ["lab"], "treatment", kit.Now - 1000, kit.Now + 86_400_000), admin),
            LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task RevokedAdminWallet_SignsNothing_RevokedAdmin()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit);

        await kit.MustCommit(kit.Tx.AdminRevoke(wallet.Address()).SignWith(kit.Admin));

        Assert.False(kit.Engine.Reader.IsAdmin(wallet.Address()));
        Assert.True(kit.Engine.Reader.Admin(wallet.Address()) is { IsActive: false, RevokedBy: var by } && by == kit.Admin.Id);
        await kit.MustRefuse(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), wallet), LedgerError.RevokedAdmin);
        await kit.MustRefuse(kit.WalletSigned(kit.Tx.AdminAdd(wallet.Address()).SignWith(kit.Admin), wallet), LedgerError.AdminAlreadyRegistered);
    }

    [Fact]
    public async Task RevokedGenesisKeyAdmin_SignsNothing_AndTheWalletAdminCarriesOn()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit);

        await kit.MustCommit(kit.WalletSigned(kit.Tx.AdminRevoke(kit.Admin.Id), wallet));

        await kit.MustRefuse(kit.Tx.NodeApprove(clinic.Id).SignWith(kit.Admin), LedgerError.RevokedAdmin);
        await kit.MustCommit(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), wallet));
    }

    [Fact]
    public async Task AdminRevoke_TheLastAdmin_IsRefusedLastAdmin_AndUnknownOrRevokedTargetsAreNamed()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        await kit.MustCommit(kit.Tx.AdminRevoke(wallet.Address()).SignWith(kit.Admin));

        await kit.MustRefuse(kit.Tx.AdminRevoke(kit.Admin.Id).SignWith(kit.Admin), LedgerError.LastAdmin);
        await kit.MustRefuse(kit.Tx.AdminRevoke(wallet.Address()).SignWith(kit.Admin), LedgerError.RevokedAdmin);
        await kit.MustRefuse(kit.Tx.AdminRevoke(EthECKey.GenerateKey().Address()).SignWith(kit.Admin), LedgerError.UnknownAdmin);
        Assert.True(kit.Engine.Reader.IsAdmin(kit.Admin.Id));
    }

    [Fact]
    public async Task AdminRevoke_BothRemainingAdminsInOneBlock_KeepsOne()
    {
        await using var kit = new LedgerKit(sequencer: new HealthPortal.Ledger.Ordering.SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(200) });
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);

        // Each revokes the other in the same block: the first to be ordered wins, the second finds itself revoked.
        var results = await Task.WhenAll(
            kit.Engine.SubmitAsync(kit.Tx.AdminRevoke(wallet.Address()).SignWith(kit.Admin)).AsTask(),
            kit.Engine.SubmitAsync(kit.WalletSigned(kit.Tx.AdminRevoke(kit.Admin.Id), wallet)).AsTask());

        Assert.Equal(1, results.Count(r => r.IsCommitted));
        Assert.Contains(results, r => r.Error is LedgerError.RevokedAdmin or LedgerError.LastAdmin);
        Assert.Equal(1, kit.Engine.Reader.AdminList.Count(a => a.IsActive));
    }

    [Fact]
    public async Task AdminWalletSignature_OverAnotherEndpoint_IsRefused_WrongSigner()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit, endpoint: "https://harbour.example");
        var approve = kit.Tx.NodeApprove(clinic.Id);
        // What a compromised portal might show: the same application with another endpoint.
        var shown = WalletTypedData.NodeApprove("Harbour Clinic", clinic.Id, NodeKind.Clinic, "https://evil.example", approve.Id);

        var result = await kit.MustRefuse(approve.WithSignature(wallet.Address(), wallet.SignTyped(shown, kit.Engine.State.WalletDomain)), LedgerError.WalletSignatureRefused);
        Assert.Contains(nameof(WalletSignatureError.WrongSigner), result.Message);
    }

    [Fact]
    public async Task AdminWalletSignature_ForAnotherChain_IsRefused()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit);
        var mine = kit.Engine.State.WalletDomain;
        var otherChain = new WalletDomain(mine.ChainId + 1, mine.VerifyingContract);

        var result = await kit.MustRefuse(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), wallet, otherChain), LedgerError.WalletSignatureRefused);
        Assert.Contains(nameof(WalletSignatureError.WrongSigner), result.Message);
    }

    [Fact]
    public async Task AdminWalletSignature_WithHighS_IsRefused()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit);
        var approve = kit.Tx.NodeApprove(clinic.Id);
        var sig = kit.WalletSigned(approve, wallet).Signatures[0].Signature;
        // The same signature, malleated: s → n − s and v flipped recovers the same address (EIP-2 forbids it).
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var s = new BigInteger(sig.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var high = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] malleated = [.. sig[..32], .. new byte[32 - high.Length], .. high, (byte)(sig[64] == 27 ? 28 : 27)];

        var result = await kit.MustRefuse(approve.WithSignature(wallet.Address(), malleated), LedgerError.WalletSignatureRefused);
        Assert.Contains(nameof(WalletSignatureError.HighS), result.Message);
    }

    [Fact]
    public async Task KeyRecover_CoSignedByAnAdminWallet_ReplacesThePatientsKeys_AndTheRecoveryStructShowsThem()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await kit.ApprovedFacility(NodeKind.Clinic, "Desk Clinic");
        var lost = await kit.Patient(Mpi);
        var fresh = LedgerKeyPair.Create();
        var recover = kit.Tx.KeyRecover(Mpi, fresh.PublicJwk, clinic.Id).SignWith(clinic);

        var shown = kit.Engine.Reader.WalletTypedData(recover)!;
        Assert.Equal("RecoveryCosign", shown.PrimaryType);
        Assert.Equal([Mpi, fresh.Id, "Desk Clinic", clinic.Id], shown.Members.Take(4).Select(m => (string)m.Value));
        await kit.MustCommit(kit.WalletSigned(recover, wallet));

        Assert.False(kit.Engine.State.Key(lost.Id)!.IsActive);
        Assert.True(kit.Engine.State.Key(fresh.Id)!.IsActive);
    }

    [Fact]
    public async Task KeyRecover_CoSignedByAnUnknownWallet_IsRefusedUnknownAdmin()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.ApprovedFacility(NodeKind.Clinic);
        await kit.Patient(Mpi);

        await kit.MustRefuse(kit.WalletSigned(kit.Tx.KeyRecover(Mpi, LedgerKeyPair.Create().PublicJwk, clinic.Id).SignWith(clinic), EthECKey.GenerateKey()),
            LedgerError.UnknownAdmin);
    }

    [Fact]
    public async Task KeyRecover_ToAWallet_MakesItThePatientsOnlyKey_AndItSignsAGrant()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.ApprovedFacility(NodeKind.Clinic);
        var lost = await kit.Patient(Mpi);
        var patientWallet = EthECKey.GenerateKey();

        await kit.MustCommit(kit.Tx.KeyRecoverWallet(Mpi, patientWallet.Address(), clinic.Id).SignWith(clinic).SignWith(kit.Admin));
        await kit.MustCommit(kit.WalletSigned(kit.Tx.GrantIssue(Mpi, clinic.Id, ["lab"], "treatment", kit.Now - 1000, kit.Now + 86_400_000), patientWallet));

        Assert.False(kit.Engine.State.Key(lost.Id)!.IsActive);
        Assert.True(kit.Engine.State.Key(patientWallet.Address()) is { IsWallet: true, IsActive: true, Mpi: Mpi });
        var both = kit.Tx.Body();
        both["mpi"] = Mpi; both["facility"] = clinic.Id; both["wallet"] = patientWallet.Address(); both["key"] = LedgerKeyPair.Create().PublicJwk.ToJson();
        Assert.Equal(LedgerError.InvalidField, PayloadParser.Parse(Transaction.Create(TxType.KeyRecover, both).ValueOrThrow()).Error);
    }

    [Fact]
    public async Task ChainWithAdminWallets_PassesVerifyFull_ReloadsAfterRestart_AndItsReceiptsVerifyOffline()
    {
        await using var kit = new LedgerKit();
        var wallet = EthECKey.GenerateKey();
        await kit.AdminWallet(wallet);
        var clinic = await Pending(kit, "Harbour Clinic", "https://harbour.example");
        var approved = await kit.MustCommit(kit.WalletSigned(kit.Tx.NodeApprove(clinic.Id), wallet));

        var receipt = approved.Receipt!.ToJson();
        Assert.Equal("https://harbour.example", receipt["wallets"]![wallet.Address()]!["message"]!["endpoint"]!.GetValue<string>());
        Assert.True(ReceiptVerifier.Verify(receipt).IsValid, ReceiptVerifier.Verify(receipt).ToString());
        var forged = receipt.DeepClone().AsObject();
        forged["wallets"]![wallet.Address()]!["message"]!["endpoint"] = "https://evil.example";
        Assert.Equal(LedgerError.WalletSignatureRefused, ReceiptVerifier.Verify(forged).Error);

        await kit.Restart();
        Assert.True(kit.Engine.Reader.IsAdmin(wallet.Address()));
        await kit.MustCommit(kit.Tx.AdminRevoke(wallet.Address()).SignWith(kit.Admin));
        await kit.Restart();
        Assert.True(kit.Engine.Reader.Admin(wallet.Address()) is { IsActive: false });
        await kit.Close();

        var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);
        Assert.True(report.IsValid, report.ToString());
    }
}
