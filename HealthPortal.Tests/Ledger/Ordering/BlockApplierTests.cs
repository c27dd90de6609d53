using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Ordering;

/// <summary>
/// A replica applies blocks sealed by another node only after re-verifying them against its own chain and state. A
/// block that fails is refused with a code naming its height, the replica raises its tamper alarm, stops taking
/// writes and keeps serving reads.
/// </summary>
public sealed class BlockApplierTests
{
    /// <summary>A second node of the same chain (same genesis), empty beyond block 0, in its own folder.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("hp-replica-").FullName;

        public Replica(LedgerKit origin)
            => Engine = LedgerEngine.Open(new LedgerOptions { DatabasePath = Path.Combine(_folder, "ledger.db") }, origin.Genesis, origin.Sealer, origin.Clock);

        public LedgerEngine Engine { get; }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<(LedgerKeyPair Lab, LedgerKeyPair Patient)> Populate(LedgerKit kit)
    {
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient("MPI-0001");
        await kit.MustCommit(kit.Anchor(lab, patient, "MPI-0001", "r-1"));
        return (lab, patient);
    }

    private static void ApplyAll(LedgerKit origin, LedgerEngine replica, long upTo)
    {
        for (var h = replica.Height + 1; h <= upTo; h++)
        {
            var result = replica.ApplyBlock(origin.Engine.SealedBlockBytes(h));
            Assert.True(result.IsApplied, result.Refusal?.ToString());
        }
    }

    /// <summary>Re-signs <paramref name="header"/> (as a lying leader holding the key would) and packs it with <paramref name="transactions"/>.</summary>
    private static byte[] Reseal(BlockHeader header, LedgerKeyPair signer, IReadOnlyList<Transaction> transactions)
    {
        var bytes = header.CanonicalBytes();
        return SealedBlockCodec.Encode(bytes, signer.Sign(bytes), transactions);
    }

    private static async Task<(LedgerKit Kit, Replica Replica, DecodedBlock Next, BlockHeader Header)> OneBlockAhead(LedgerKit kit)
    {
        var (lab, patient) = await Populate(kit);
        var replica = new Replica(kit);
        ApplyAll(kit, replica.Engine, kit.Engine.Height - 1);
        var decoded = SealedBlockCodec.Decode(kit.Engine.SealedBlockBytes(kit.Engine.Height)).ValueOrThrow();
        return (kit, replica, decoded, BlockHeader.Parse(decoded.HeaderBytes).ValueOrThrow());
    }

    /// <summary>A populated chain, a replica one block behind it, and the header of that last block (to re-pack other transactions under).</summary>
    private static async Task<(LedgerKeyPair Lab, LedgerKeyPair Patient, Replica Replica, BlockHeader Header)> ManyAhead(LedgerKit kit)
    {
        var (lab, patient) = await Populate(kit);
        var replica = new Replica(kit);
        ApplyAll(kit, replica.Engine, kit.Engine.Height - 1);
        var decoded = SealedBlockCodec.Decode(kit.Engine.SealedBlockBytes(kit.Engine.Height)).ValueOrThrow();
        return (lab, patient, replica, BlockHeader.Parse(decoded.HeaderBytes).ValueOrThrow());
    }

    private static void AssertRefusedWithAlarm(LedgerEngine replica, BlockApplyResult result, long height, BlockRefusalCode code)
    {
        Assert.False(result.IsApplied);
        Assert.Equal(code, result.Refusal!.Code);
        Assert.Equal(height, result.Refusal.Height);
        Assert.Equal(height - 1, replica.Height);
        Assert.Equal(code, replica.TamperAlarm?.Code);
        Assert.Equal(height, replica.TamperAlarm!.Height);
    }

    [Fact]
    public async Task ValidBlocks_ApplyOnASecondEngine_WithTheIdenticalHeadHash_AndVerify()
    {
        await using var kit = new LedgerKit();
        await Populate(kit);
        await using var replica = new Replica(kit);

        ApplyAll(kit, replica.Engine, kit.Engine.Height);

        Assert.Equal(kit.Engine.Height, replica.Engine.Height);
        Assert.Equal(kit.Engine.Store.Head()!.Hash, replica.Engine.Store.Head()!.Hash);
        Assert.Null(replica.Engine.TamperAlarm);
        var report = replica.Engine.Verify();
        Assert.True(report.IsValid, report.ToLine());
    }

    [Fact]
    public async Task TheSameBlockTwice_IsAlreadyApplied_NotAnAlarm()
    {
        await using var kit = new LedgerKit();
        await Populate(kit);
        await using var replica = new Replica(kit);
        ApplyAll(kit, replica.Engine, kit.Engine.Height);

        var again = replica.Engine.ApplyBlock(kit.Engine.SealedBlockBytes(kit.Engine.Height));

        Assert.True(again.AlreadyApplied);
        Assert.Null(replica.Engine.TamperAlarm);
    }

    [Fact]
    public async Task AForgedPatientSignature_IsRefusedInvalidTransaction_AndRaisesTheAlarm()
    {
        await using var kit = new LedgerKit();
        var (_, replica, next, header) = await OneBlockAhead(kit);
        await using var _r = replica;
        var anchor = next.Transactions[0];
        var forger = LedgerKeyPair.Create();
        // The patient's signature replaced by one from a key that is not the patient's, under the patient's key id.
        var forged = anchor.Signatures.Select(s => s.Kid == anchor.Signatures[^1].Kid ? new TxSignature(s.Kid, forger.Sign(anchor.SigningBytes)) : s).ToList();
        var tampered = TransactionCodec.Parse(ForgeSignatures(anchor, forged)).ValueOrThrow();
        var sigRoot = BlockHeader.SignatureRoot([StoredTransactionSignatures(tampered)]);

        var result = replica.Engine.ApplyBlock(Reseal(header with { SigRoot = sigRoot }, kit.Sealer, [tampered]));

        AssertRefusedWithAlarm(replica.Engine, result, header.Height, BlockRefusalCode.InvalidTransaction);
        Assert.Equal(LedgerError.BadSignature, result.Refusal!.TransactionError);
    }

    [Fact]
    public async Task AWrongMerkleRoot_IsRefusedMerkleRootMismatch_AndRaisesTheAlarm()
    {
        await using var kit = new LedgerKit();
        var (_, replica, next, header) = await OneBlockAhead(kit);
        await using var _r = replica;

        var result = replica.Engine.ApplyBlock(Reseal(header with { TxRoot = new byte[32] }, kit.Sealer, next.Transactions));

        AssertRefusedWithAlarm(replica.Engine, result, header.Height, BlockRefusalCode.MerkleRootMismatch);
    }

    [Fact]
    public async Task ABrokenLink_IsRefusedBrokenLink_AndRaisesTheAlarm()
    {
        await using var kit = new LedgerKit();
        var (_, replica, next, header) = await OneBlockAhead(kit);
        await using var _r = replica;

        var result = replica.Engine.ApplyBlock(Reseal(header with { Previous = new byte[32] }, kit.Sealer, next.Transactions));

        AssertRefusedWithAlarm(replica.Engine, result, header.Height, BlockRefusalCode.BrokenLink);
    }

    [Fact]
    public async Task AProposerThatIsNotAnApprovedFacility_IsRefused_AndRaisesTheAlarm()
    {
        await using var kit = new LedgerKit();
        var (_, replica, next, header) = await OneBlockAhead(kit);
        await using var _r = replica;
        var stranger = LedgerKeyPair.Create();

        var result = replica.Engine.ApplyBlock(Reseal(header with { Proposer = stranger.Id }, stranger, next.Transactions));

        AssertRefusedWithAlarm(replica.Engine, result, header.Height, BlockRefusalCode.ProposerNotApproved);
    }

    [Fact]
    public async Task AfterTheAlarm_WritesAreRefusedLedgerHalted_ReadsStillServe_AndNoLaterBlockApplies()
    {
        await using var kit = new LedgerKit();
        var (_, replica, next, header) = await OneBlockAhead(kit);
        await using var _r = replica;
        replica.Engine.ApplyBlock(Reseal(header with { TxRoot = new byte[32] }, kit.Sealer, next.Transactions));
        var key = LedgerKeyPair.Create();

        var write = await replica.Engine.SubmitAsync(kit.Tx.PatientRegister(key.PublicJwk, "MPI-0009", LedgerKit.Hash("x"), kit.Genesis.Parameters.PatientPowBits).SignWith(key));
        var honest = replica.Engine.ApplyBlock(kit.Engine.SealedBlockBytes(header.Height));

        Assert.Equal(LedgerError.LedgerHalted, write.Error);
        Assert.Equal(BlockRefusalCode.Halted, honest.Refusal!.Code);
        Assert.NotNull(replica.Engine.GetReceipt(kit.Engine.SealedBlockBytes(1) is { } b1 ? SealedBlockCodec.Decode(b1).ValueOrThrow().Transactions[0].Id : []));
        Assert.Equal(header.Height - 1, replica.Engine.Height);
    }

    [Fact]
    public async Task InABlockOfManyTransactions_AForgedSignatureLateInTheBlock_IsNamedByItsIndex()
    {
        // The replica checks a block's signatures all at once (in parallel) before its rules in block order: the
        // refusal must still name the transaction that fails, as a one-by-one check would.
        await using var kit = new LedgerKit();
        var (lab, patient, replica, header) = await ManyAhead(kit);
        await using var _r = replica;
        var forger = LedgerKeyPair.Create();
        Transaction Forged(Transaction anchor)
            => TransactionCodec.Parse(ForgeSignatures(anchor, [.. anchor.Signatures.Select(s => s.Kid == patient.Id ? new TxSignature(s.Kid, forger.Sign(anchor.SigningBytes)) : s)])).ValueOrThrow();
        byte[] BlockOf(IReadOnlyList<Transaction> transactions)
        {
            var tree = new BlockMerkleTree([.. transactions.Select(t => t.Id)]);
            return Reseal(header with
            {
                TxRoot = tree.Root, SigRoot = BlockHeader.SignatureRoot(transactions.Select(StoredTransactionSignatures)),
                TxCount = transactions.Count, TxTotal = header.TxTotal - header.TxCount + transactions.Count,
            }, kit.Sealer, transactions);
        }
        var anchors = Enumerable.Range(0, 12).Select(i => kit.Anchor(lab, patient, "MPI-0001", $"r-many-{i}")).ToList();

        var forgedOnly = anchors.Select((a, i) => i == 9 ? Forged(a) : a).ToList();
        var result = replica.Engine.ApplyBlock(BlockOf(forgedOnly));
        Assert.Equal(BlockRefusalCode.InvalidTransaction, result.Refusal!.Code);
        Assert.Equal(LedgerError.BadSignature, result.Refusal.TransactionError);
        Assert.StartsWith("transaction 9:", result.Refusal.Reason);
        Assert.Equal(header.Height, replica.Engine.TamperAlarm!.Height);
    }

    [Fact]
    public async Task InABlockOfManyTransactions_ARuleBrokenBeforeAForgedSignature_IsTheOneNamed()
    {
        // The forged signature is found first (the parallel signature pass), but a one-by-one check would have
        // stopped at the broken rule before it: that is the refusal.
        await using var kit = new LedgerKit();
        var (lab, patient, replica, header) = await ManyAhead(kit);
        await using var _r = replica;
        var forger = LedgerKeyPair.Create();
        var anchors = Enumerable.Range(0, 12).Select(i => kit.Anchor(lab, patient, "MPI-0001", $"r-many-{i}")).ToList();
        // Transaction 3 anchors a record for a patient the ledger does not know (a rule), transaction 9 is forged.
        anchors[3] = kit.Anchor(lab, patient, "MPI-9999", "r-unknown-patient");
        anchors[9] = TransactionCodec.Parse(ForgeSignatures(anchors[9], [.. anchors[9].Signatures.Select(s => s.Kid == patient.Id ? new TxSignature(s.Kid, forger.Sign(anchors[9].SigningBytes)) : s)])).ValueOrThrow();
        var tree = new BlockMerkleTree([.. anchors.Select(t => t.Id)]);
        var bytes = Reseal(header with
        {
            TxRoot = tree.Root, SigRoot = BlockHeader.SignatureRoot(anchors.Select(StoredTransactionSignatures)),
            TxCount = anchors.Count, TxTotal = header.TxTotal - header.TxCount + anchors.Count,
        }, kit.Sealer, anchors);

        var result = replica.Engine.ApplyBlock(bytes);

        Assert.Equal(BlockRefusalCode.RuleViolation, result.Refusal!.Code);
        Assert.StartsWith("transaction 3 breaks a rule", result.Refusal.Reason);
        Assert.Equal(header.Height - 1, replica.Engine.Height);
    }

    [Fact]
    public async Task MalformedBytes_AreRefusedMalformed()
    {
        await using var kit = new LedgerKit();
        await using var replica = new Replica(kit);

        var result = replica.Engine.ApplyBlock("not a block"u8);

        Assert.Equal(BlockRefusalCode.Malformed, result.Refusal!.Code);
        Assert.Equal(1, result.Refusal.Height);
    }

    private static string ForgeSignatures(Transaction tx, IReadOnlyList<TxSignature> signatures)
    {
        var json = tx.ToJson();
        var sigs = new System.Text.Json.Nodes.JsonArray();
        foreach (var s in signatures) sigs.Add(new System.Text.Json.Nodes.JsonObject { ["kid"] = s.Kid, ["sig"] = Base64Url.Encode(s.Signature) });
        json["signatures"] = sigs;
        return json.ToJsonString();
    }

    private static string StoredTransactionSignatures(Transaction tx) => HealthPortal.Ledger.Storage.StoredTransaction.EncodeSignatures(tx.Signatures);
}
