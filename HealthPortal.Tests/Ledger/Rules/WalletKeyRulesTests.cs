using System.Numerics;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Crypto.Wallet;
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
/// An Ethereum wallet as a patient's key: added by key.add (co-signed by an existing key and the wallet), then
/// signing EIP-712 typed data for every patient signature, checked by the rules like any device key.
/// </summary>
public sealed class WalletKeyRulesTests
{
    private const string Mpi = "MPI-0001";

    private static Transaction WalletSigned(LedgerKit kit, Transaction tx, EthECKey wallet, WalletDomain? domain = null)
    {
        var data = WalletSignatures.TypedData(tx, id => kit.Engine.State.Node(id)?.Name)
            ?? throw new InvalidOperationException($"no typed data for {tx.Type}");
        return tx.WithSignature(wallet.GetPublicAddress(), wallet.SignTyped(data, domain ?? kit.Engine.State.WalletDomain));
    }

    /// <summary>A patient with an ES256 key and a linked wallet.</summary>
    private static async Task<(LedgerKeyPair Key, EthECKey Wallet)> PatientWithWallet(LedgerKit kit, string mpi = Mpi)
    {
        var key = await kit.Patient(mpi);
        var wallet = EthECKey.GenerateKey();
        await kit.MustCommit(WalletSigned(kit, kit.Tx.KeyAddWallet(mpi, wallet.GetPublicAddress()).SignWith(key), wallet));
        return (key, wallet);
    }

    private static Transaction Grant(LedgerKit kit, LedgerKeyPair facility, string purpose = "treatment")
        => kit.Tx.GrantIssue(Mpi, facility.Id, ["lab"], purpose, kit.Now - 1000, kit.Now + 86_400_000);

    [Fact]
    public async Task PatientAddsWallet_SignsGrantWithIt_GrantIsActive()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);

        var grant = WalletSigned(kit, Grant(kit, lab), wallet);
        await kit.MustCommit(grant);

        var key = kit.Engine.State.Key(wallet.GetPublicAddress());
        Assert.True(key is { IsWallet: true, IsActive: true, Mpi: Mpi });
        Assert.True(kit.Engine.State.Grant(grant.IdText)!.IsActiveAt(kit.Now));
    }

    [Fact]
    public async Task KeyAddWallet_WithoutTheWalletsSignature_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var key = await kit.Patient(Mpi);
        var wallet = EthECKey.GenerateKey();

        await kit.MustRefuse(kit.Tx.KeyAddWallet(Mpi, wallet.GetPublicAddress()).SignWith(key), LedgerError.MissingSignature);
    }

    [Fact]
    public async Task KeyAddWallet_SignedByAnotherWallet_IsRefusedUnknownSigner()
    {
        await using var kit = new LedgerKit();
        var key = await kit.Patient(Mpi);
        var wallet = EthECKey.GenerateKey();
        var other = EthECKey.GenerateKey();
        var tx = kit.Tx.KeyAddWallet(Mpi, wallet.GetPublicAddress()).SignWith(key);
        var data = WalletSignatures.TypedData(tx, _ => null)!;

        await kit.MustRefuse(tx.WithSignature(other.GetPublicAddress(), other.SignTyped(data, kit.Engine.State.WalletDomain)), LedgerError.UnknownSigner);
    }

    [Fact]
    public async Task KeyAddWallet_InLowerCase_IsRefusedInvalidField()
    {
        await using var kit = new LedgerKit();
        var key = await kit.Patient(Mpi);
        var wallet = EthECKey.GenerateKey();

        var tx = kit.Tx.KeyAddWallet(Mpi, wallet.GetPublicAddress().ToLowerInvariant()).SignWith(key);

        await kit.MustRefuse(tx, LedgerError.InvalidField);
    }

    [Fact]
    public async Task RevokedWallet_LaterSignaturesAreRefusedRevokedKey()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (key, wallet) = await PatientWithWallet(kit);
        await kit.MustCommit(WalletSigned(kit, Grant(kit, lab), wallet));

        await kit.MustCommit(kit.Tx.KeyRevoke(Mpi, wallet.GetPublicAddress()).SignWith(key));

        Assert.False(kit.Engine.State.Key(wallet.GetPublicAddress())!.IsActive);
        await kit.MustRefuse(WalletSigned(kit, Grant(kit, lab), wallet), LedgerError.RevokedKey);
    }

    [Fact]
    public async Task Wallet_RevokesAGrant_AndTheBrowserKey()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (key, wallet) = await PatientWithWallet(kit);
        var grant = Grant(kit, lab).SignWith(key);
        await kit.MustCommit(grant);

        await kit.MustCommit(WalletSigned(kit, kit.Tx.GrantRevoke(Mpi, grant.IdText), wallet));
        await kit.MustCommit(WalletSigned(kit, kit.Tx.KeyRevoke(Mpi, key.Id), wallet));

        Assert.NotNull(kit.Engine.State.Grant(grant.IdText)!.RevokedHeight);
        Assert.False(kit.Engine.State.Key(key.Id)!.IsActive);
    }

    [Fact]
    public async Task Wallet_CoSignsARecordAnchor()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);

        var anchor = kit.Tx.RecordAnchor(Mpi, lab.Id, "obs-1", "lab", "2026-11-24", LedgerKit.Hash("obs-1"), "Observation/obs-1").SignWith(lab);
        await kit.MustCommit(WalletSigned(kit, anchor, wallet));
    }

    [Fact]
    public async Task SignatureOverOtherTypedData_IsRefusedWithWrongSigner()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);
        var shown = Grant(kit, lab, "treatment");
        var submitted = Grant(kit, lab, "insurance");
        var signatureOfShown = WalletSigned(kit, shown, wallet).Signatures[0].Signature;

        var result = await kit.MustRefuse(submitted.WithSignature(wallet.GetPublicAddress(), signatureOfShown), LedgerError.WalletSignatureRefused);

        Assert.Contains(nameof(WalletSignatureError.WrongSigner), result.ToString());
    }

    [Fact]
    public async Task SignatureForAnotherChain_IsRefusedWithWrongSigner()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);
        var otherChain = kit.Engine.State.WalletDomain with { ChainId = 1 };

        var result = await kit.MustRefuse(WalletSigned(kit, Grant(kit, lab), wallet, otherChain), LedgerError.WalletSignatureRefused);

        Assert.Contains(nameof(WalletSignatureError.WrongSigner), result.ToString());
    }

    [Fact]
    public async Task HighSTwinOfAValidWalletSignature_IsRefusedWithHighS()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var grant = Grant(kit, lab);
        var good = WalletSigned(kit, grant, wallet).Signatures[0].Signature;

        var result = await kit.MustRefuse(grant.WithSignature(wallet.GetPublicAddress(), HighSOf(good, n)), LedgerError.WalletSignatureRefused);

        Assert.Contains(nameof(WalletSignatureError.HighS), result.ToString());
    }

    /// <summary>(r, n − s, v flipped): the same signature mathematically, spelled with a high s.</summary>
    private static byte[] HighSOf(byte[] signature, BigInteger n)
    {
        var high = signature.ToArray();
        var twin = (n - new BigInteger(high.AsSpan(32, 32), isUnsigned: true, isBigEndian: true)).ToByteArray(isUnsigned: true, isBigEndian: true);
        high.AsSpan(32, 32).Clear();
        twin.CopyTo(high.AsSpan(64 - twin.Length));
        high[64] = (byte)(55 - high[64]);
        return high;
    }

    [Fact]
    public async Task WalletOfAnotherPatient_IsRefusedSignerNotAuthorized()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        await PatientWithWallet(kit, Mpi);
        var (_, otherWallet) = await PatientWithWallet(kit, "MPI-0002");

        await kit.MustRefuse(WalletSigned(kit, Grant(kit, lab), otherWallet), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task WalletCannotSignAFacilityTransaction()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);
        var log = kit.Tx.AccessLog(lab.Id, "staff-1", Mpi, [], null, LedgerKit.BreakGlass(), "treatment");
        var anyData = WalletTypedData.GrantRevoke(Mpi, "x", log.Id);

        await kit.MustRefuse(log.WithSignature(wallet.GetPublicAddress(), wallet.SignTyped(anyData, kit.Engine.State.WalletDomain)),
            LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task WalletSignedTransaction_RoundTripsThroughTheWireCodec()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);
        var grant = WalletSigned(kit, Grant(kit, lab), wallet);

        var parsed = TransactionCodec.Parse(grant.ToJsonString());
        var slow = TransactionCodec.FromJson(grant.ToJson());

        Assert.True(parsed.IsSuccess, parsed.Message);
        Assert.True(slow.IsSuccess, slow.Message);
        Assert.Equal(grant.Signatures[0].Signature, parsed.Value!.Signatures[0].Signature);
        await kit.MustCommit(parsed.Value!);
    }

    /// <summary>patient.register with a wallet as the first key, stamped and signed by the wallet over PatientRegister.</summary>
    private static Transaction WalletRegistration(LedgerKit kit, string mpi, EthECKey wallet, EthECKey? signer = null)
    {
        var body = ProofOfWork.Solve(TxType.PatientRegister, kit.Tx.PatientRegisterWalletBody(wallet.GetPublicAddress(), mpi, LedgerKit.Hash("demographics-" + mpi)), kit.Genesis.Parameters.PatientPowBits);
        var tx = Transaction.Create(TxType.PatientRegister, body).ValueOrThrow();
        var data = WalletSignatures.TypedData(tx, _ => null)!;
        return tx.WithSignature(wallet.GetPublicAddress(), (signer ?? wallet).SignTyped(data, kit.Engine.State.WalletDomain));
    }

    [Fact]
    public async Task PatientRegister_WithAWalletAsFirstKey_RegistersIt_AndItSignsAGrant_AndTheChainVerifies()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var wallet = EthECKey.GenerateKey();

        var registration = WalletRegistration(kit, Mpi, wallet);
        Assert.Equal("PatientRegister", WalletSignatures.TypedData(registration, _ => null)!.PrimaryType);
        await kit.MustCommit(registration);
        Assert.True(kit.Engine.State.Key(wallet.GetPublicAddress()) is { IsWallet: true, IsActive: true, Mpi: Mpi });
        await kit.MustCommit(WalletSigned(kit, Grant(kit, lab), wallet));
        await kit.Close();

        var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);
        Assert.True(report.IsValid, report.ToString());
    }

    [Fact]
    public async Task PatientRegister_WithAWallet_SignedByAnotherWallet_IsRefused_AndWithoutProofOfWork_IsRefused()
    {
        await using var kit = new LedgerKit(patientPowBits: 8);
        var wallet = EthECKey.GenerateKey();

        // The other wallet's signature under the registered address recovers another address.
        await kit.MustRefuse(WalletRegistration(kit, Mpi, wallet, signer: EthECKey.GenerateKey()), LedgerError.WalletSignatureRefused);
        var unstamped = Transaction.Create(TxType.PatientRegister, kit.Tx.PatientRegisterWalletBody(wallet.GetPublicAddress(), Mpi, LedgerKit.Hash("d"))).ValueOrThrow();
        while (ProofOfWork.Satisfies(unstamped, 8))
            unstamped = Transaction.Create(TxType.PatientRegister, kit.Tx.PatientRegisterWalletBody(wallet.GetPublicAddress(), Mpi, LedgerKit.Hash("d"))).ValueOrThrow();
        await kit.MustRefuse(WalletSigned(kit, unstamped, wallet), LedgerError.InsufficientProofOfWork);
        Assert.Null(kit.Engine.State.Patient(Mpi));
    }

    [Fact]
    public void PatientRegister_WithBothAKeyAndAWallet_DoesNotParse()
    {
        var body = new TransactionFactory().PatientRegisterWalletBody(EthECKey.GenerateKey().GetPublicAddress(), Mpi, LedgerKit.Hash("d"));
        body["key"] = LedgerKeyPair.Create().PublicJwk.ToJson();

        Assert.Equal(LedgerError.InvalidField, PayloadParser.Parse(Transaction.Create(TxType.PatientRegister, body).ValueOrThrow()).Error);
    }

    [Fact]
    public async Task ParallelPass_RecoversAWalletSignatureOnce_AndATamperedOneIsLeftToTheStatefulPassWhichRefusesIt()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (_, wallet) = await PatientWithWallet(kit);
        var grant = WalletSigned(kit, Grant(kit, lab), wallet);
        var other = WalletSigned(kit, Grant(kit, lab, purpose: "referral"), wallet);
        var forged = Grant(kit, lab).WithSignature(wallet.GetPublicAddress(), other.Signatures[0].Signature);

        var parsed = kit.Engine.Check(grant);
        var parsedForged = kit.Engine.Check(forged);

        Assert.True(parsed.IsSuccess && parsedForged.IsSuccess);
        Assert.Equal(32, parsed.Value!.WalletDigests![0]!.Length);
        Assert.Null(parsedForged.Value!.WalletDigests);
        await kit.MustCommit(grant);
        await kit.MustRefuse(forged, LedgerError.WalletSignatureRefused);
    }

    [Fact]
    public async Task ChainWithWalletSignatures_PassesVerifyFull_AndReloadsAfterRestart()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var (key, wallet) = await PatientWithWallet(kit);
        var grant = WalletSigned(kit, Grant(kit, lab), wallet);
        await kit.MustCommit(grant);
        await kit.MustCommit(WalletSigned(kit, kit.Tx.RecordAnchor(Mpi, lab.Id, "obs-1", "lab", "2026-11-24", LedgerKit.Hash("obs-1"), "Observation/obs-1").SignWith(lab), wallet));

        await kit.Restart();
        Assert.True(kit.Engine.State.Key(wallet.GetPublicAddress()) is { IsWallet: true, IsActive: true });
        await kit.MustCommit(WalletSigned(kit, kit.Tx.GrantRevoke(Mpi, grant.IdText), wallet));
        await kit.Close();

        var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);
        Assert.True(report.IsValid, report.ToString());
    }

    [Fact]
    public async Task ReceiptOfAWalletSignedGrant_VerifiesOffline_AndNotWithAnotherFacilityName()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility(name: "City Lab");
        var (_, wallet) = await PatientWithWallet(kit);
        var grant = WalletSigned(kit, Grant(kit, lab), wallet);
        var committed = await kit.MustCommit(grant);

        var fromCommit = committed.Receipt!.ToJson();
        var fromReader = kit.Engine.Reader.Receipt(grant.IdText)!.ToJson();
        var forged = fromReader.DeepClone().AsObject();
        forged["wallets"]![wallet.GetPublicAddress()]!["message"]!["facilityName"] = "Another Lab";

        Assert.Equal("City Lab", fromCommit["wallets"]![wallet.GetPublicAddress()]!["message"]!["facilityName"]!.GetValue<string>());
        Assert.True(ReceiptVerifier.Verify(fromCommit).IsValid, ReceiptVerifier.Verify(fromCommit).ToString());
        Assert.True(ReceiptVerifier.Verify(fromReader).IsValid, ReceiptVerifier.Verify(fromReader).ToString());
        Assert.Equal(LedgerError.WalletSignatureRefused, ReceiptVerifier.Verify(forged).Error);
    }

    [Fact]
    public void Genesis_WithoutWalletChainId_KeepsItsDocument_AndDerivesTheChainIdFromItsHash()
    {
        var admin = LedgerKeyPair.Create();
        var genesis = new Genesis("c", 1, [admin.PublicJwk], new GenesisNode(admin.PublicJwk, NodeKind.Hospital, "H", "https://h.example"), GenesisParameters.Default);

        Assert.False(genesis.ToJson()["params"]!.AsObject().ContainsKey("walletChainId"));
        Assert.Equal(WalletDomain.DeriveChainId(genesis.Hash()), genesis.WalletDomain().ChainId);
        Assert.Equal(EthereumAddress.FromBytes(genesis.Hash()[..20]).ToString(), genesis.WalletDomain().VerifyingContract);
    }

    [Fact]
    public void Genesis_WithWalletChainId_RoundTripsAndUsesIt()
    {
        var admin = LedgerKeyPair.Create();
        var genesis = new Genesis("c", 1, [admin.PublicJwk], new GenesisNode(admin.PublicJwk, NodeKind.Hospital, "H", "https://h.example"), GenesisParameters.Default, 31337);

        var back = Genesis.FromJson(genesis.ToJson());

        Assert.True(back.IsSuccess, back.Message);
        Assert.Equal(31337, back.Value!.WalletDomain().ChainId);
        Assert.Equal(genesis.Hash(), back.Value.Hash());
        Assert.False((genesis with { WalletChainId = 0 }).Check().IsValid);
    }
}
