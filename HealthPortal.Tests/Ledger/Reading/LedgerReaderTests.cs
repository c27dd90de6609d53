using HealthPortal.Ledger;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Tests.Ledger.Reading;

/// <summary>
/// The application's read API over a running node: paging, receipts and proofs equal to the engine's, patient and
/// facility views after grants, revocations, anchors and accesses, and nulls/empties for anything unknown.
/// </summary>
public sealed class LedgerReaderTests
{
    private const string Mpi = "MPI-0001";
    private const long Day = 86_400_000;

    [Fact]
    public async Task Head_IsTheEnginesCommittedHead()
    {
        await using var kit = new LedgerKit();
        await kit.ApprovedFacility();
        var reader = kit.Engine.Reader;

        var head = reader.Head();
        Assert.Equal(kit.Engine.Height, head.Height);
        Assert.Equal(kit.Engine.Height, reader.Height);
        Assert.Equal(kit.Engine.TransactionCount, head.TxTotal);
        Assert.Equal(2, head.TxTotal);
        Assert.Equal(reader.Block(head.Height)!.Hash, head.Hash);
        Assert.Equal(Base64Url.Encode(head.Hash), head.HashText);
        Assert.Equal(kit.Genesis.ChainId, reader.ChainId);
    }

    [Fact]
    public async Task BlockPage_NewestFirst_CoversEveryBlockOnce_AndEndsEmpty()
    {
        await using var kit = new LedgerKit(sequencer: new SequencerOptions { MaxBlockTransactions = 1, BlockInterval = TimeSpan.FromMilliseconds(1) });
        for (var i = 0; i < 3; i++) await kit.Patient($"MPI-000{i}");
        var reader = kit.Engine.Reader;
        Assert.Equal(3, reader.Height);

        var seen = new List<long>();
        for (var page = 0; ; page++)
        {
            var p = reader.BlockPage(page, 3);
            Assert.Equal(4, p.Total);
            seen.AddRange(p.Items.Select(b => b.Height));
            if (!p.HasMore) { Assert.Equal(1, page); break; }
        }
        Assert.Equal([3L, 2, 1, 0], seen);
        Assert.Empty(reader.BlockPage(2, 3).Items);
        Assert.Equal([1L, 2], reader.Blocks(1, 2).Select(b => b.Height));
        Assert.Empty(reader.Blocks(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.BlockPage(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.BlockPage(-1, 3));
    }

    [Fact]
    public async Task TransactionPage_SplitsABlockInBlockOrder()
    {
        // A long interval and no limit below five: the five registrations, submitted together, share blocks.
        await using var kit = new LedgerKit(sequencer: new SequencerOptions { MaxBlockTransactions = 5, BlockInterval = TimeSpan.FromMilliseconds(200) });
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => kit.Submit(SignAsOwnKey(kit, i))));
        Assert.All(results, r => Assert.True(r.IsCommitted, r.ToString()));
        var reader = kit.Engine.Reader;

        var busiest = Enumerable.Range(1, (int)reader.Height).Select(h => reader.Block(h)!).MaxBy(b => b.TxCount)!;
        Assert.True(busiest.TxCount >= 2, $"expected a block with several transactions, the largest has {busiest.TxCount}");
        var all = reader.TransactionsOf(busiest.Height);
        Assert.Equal(busiest.TxCount, all.Count);
        Assert.Equal(Enumerable.Range(0, all.Count), all.Select(t => t.Index));

        var paged = new List<TransactionInfo>();
        for (var page = 0; ; page++)
        {
            var p = reader.TransactionPage(busiest.Height, page, 2);
            Assert.Equal(busiest.TxCount, p.Total);
            paged.AddRange(p.Items);
            if (!p.HasMore) break;
        }
        Assert.Equal(all.Select(t => t.IdText), paged.Select(t => t.IdText));
        Assert.Empty(reader.TransactionPage(busiest.Height, 10, 2).Items);
        Assert.All(all, t => Assert.Equal(busiest.Height, t.Height));
    }

    private static Transaction SignAsOwnKey(LedgerKit kit, int i)
    {
        var key = LedgerKeyPair.Create();
        return kit.Tx.PatientRegister(key.PublicJwk, $"MPI-100{i}", Base64Url.Encode(new byte[32]), kit.Genesis.Parameters.PatientPowBits).SignWith(key);
    }

    [Fact]
    public async Task Receipt_EqualsTheReceiptTheEngineGaveAtCommit_AndVerifies()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient(Mpi);
        var committed = (await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"))).Receipt!;
        var reader = kit.Engine.Reader;

        var read = reader.Receipt(committed.TransactionId)!;
        // The commit's receipt carries the body as it was submitted, the stored one its canonical form (members
        // sorted): the same signed bytes, so the receipts are compared in canonical JSON.
        Assert.Equal(Jcs.CanonicalizeOrThrow(committed.ToJson()), Jcs.CanonicalizeOrThrow(read.ToJson()));
        Assert.Equal(kit.Engine.GetReceipt(committed.TransactionId)!.ToJsonString(), read.ToJsonString());
        Assert.True(ReceiptVerifier.Verify(read.ToJsonString()).IsValid);

        var tx = reader.Transaction(committed.TransactionId)!;
        Assert.Equal((committed.Height, committed.Index), (tx.Height, tx.Index));
        Assert.Equal(TxType.RecordAnchor, tx.Type);
        Assert.Equal(committed.TransactionId, tx.IdText);
        Assert.Equal(tx.Id, tx.RecomputedId);
        Assert.False(tx.IsDamaged);
        Assert.Null(tx.Problem);
        // The stored body is the canonical one (members sorted), so the signed bytes are compared, not the JSON text.
        Assert.Equal(committed.Transaction.SigningBytes, tx.Transaction!.SigningBytes);
        Assert.True(reader.ContainsTransaction(committed.TransactionId));
    }

    [Fact]
    public async Task HistoryConsistencyProof_IsTheEnginesAndVerifies()
    {
        await using var kit = new LedgerKit(sequencer: new SequencerOptions { MaxBlockTransactions = 1, BlockInterval = TimeSpan.FromMilliseconds(1) });
        for (var i = 0; i < 4; i++) await kit.Patient($"MPI-000{i}");
        var reader = kit.Engine.Reader;
        var head = reader.Height;

        var proof = reader.HistoryConsistencyProof(2, head);
        Assert.Equal(kit.Engine.HistoryConsistencyProof(2, head), proof);
        var check = MerkleVerifier.VerifyConsistency(2, head, proof, reader.Block(2)!.Header.History, reader.Block(head)!.Header.History);
        Assert.True(check.IsValid, check.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.HistoryConsistencyProof(1, head + 1));
    }

    [Fact]
    public async Task PatientView_FollowsGrantsRevocationsAnchorsAndAccesses()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved, NodeKind.Laboratory);
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        var anchor = (await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"))).Receipt!;
        var grant = (await kit.MustCommit(kit.Tx.GrantIssue(Mpi, clinic.Id, ["lab"], "treatment", kit.Now, kit.Now + Day).SignWith(patient))).Receipt!.TransactionId;
        var reader = kit.Engine.Reader;

        var granted = reader.PatientView(Mpi)!;
        Assert.Equal(Mpi, granted.Patient.Mpi);
        Assert.Equal([patient.Id], granted.Keys.Select(k => k.Kid));
        Assert.True(granted.Keys[0].IsActive);
        Assert.Equal([grant], granted.Grants.Select(g => g.Id));
        Assert.Null(granted.Grants[0].RevokedHeight);
        Assert.Equal(["lab-1"], granted.Records.Select(r => r.RecordId));
        Assert.Empty(granted.Accesses);

        var access = (await kit.MustCommit(kit.Tx.AccessLog(clinic.Id, "dr-a", Mpi, [$"{lab.Id}/lab-1"], grant, null, "treatment").SignWith(clinic))).Receipt!;
        var revoke = (await kit.MustCommit(kit.Tx.GrantRevoke(Mpi, grant).SignWith(patient))).Receipt!;

        var after = reader.PatientView(Mpi)!;
        Assert.Equal(revoke.Height, after.Grants.Single().RevokedHeight);
        Assert.Equal(revoke.Height, reader.Grant(grant)!.RevokedHeight);
        Assert.Equal([access.TransactionId], after.Accesses.Select(a => a.TxId));
        Assert.Equal(grant, after.Accesses[0].Grant);
        Assert.Equal(after.Accesses.Select(a => a.TxId), reader.AccessesOf(Mpi).Select(a => a.TxId));
        Assert.Equal(after.Grants.Select(g => g.Id), reader.GrantsOf(Mpi).Select(g => g.Id));
        Assert.Equal(after.Keys.Select(k => k.Kid), reader.KeysOf(Mpi).Select(k => k.Kid));

        var record = reader.Record(lab.Id, "lab-1")!;
        Assert.Equal((anchor.TransactionId, anchor.Height, anchor.Index), (record.TxId, record.Height, record.Index));
        Assert.Equal(record, reader.RecordAnchoredBy(anchor.Transaction.Id));
        Assert.Null(reader.RecordAnchoredBy(access.Transaction.Id));
        Assert.Equal([record], reader.RecordsOf(Mpi));
        Assert.Empty(reader.BreakGlassAccesses());
        Assert.True(reader.IsRegistered(Mpi));
        Assert.Equal(1, reader.PatientCount);
    }

    [Fact]
    public async Task FacilityAndKeyViews_FollowNodeDecisions()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved, NodeKind.Laboratory);
        var rejected = await kit.Facility(NodeStatus.Rejected);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-2"));
        var reader = kit.Engine.Reader;

        Assert.Equal(NodeStatus.Approved, reader.NodeStatusOf(lab.Id));
        Assert.Equal(NodeStatus.Rejected, reader.NodeStatusOf(rejected.Id));
        Assert.True(reader.IsApprovedNode(lab.Id));
        Assert.False(reader.IsApprovedNode(rejected.Id));
        // Genesis node first, then the facilities in the order they registered.
        Assert.Equal([kit.Sealer.Id, lab.Id, rejected.Id], reader.Nodes().Select(n => n.Id));

        var view = reader.FacilityView(lab.Id)!;
        Assert.Equal(lab.Id, view.Node.Id);
        Assert.Equal(["lab-2", "lab-1"], view.Records.Select(r => r.RecordId));
        Assert.Equal(["lab-2"], reader.RecordsOfFacility(lab.Id, 1).Select(r => r.RecordId));

        Assert.Equal(KeyHolder.Admin, reader.HolderOf(kit.Admin.Id));
        Assert.Equal(KeyHolder.Facility, reader.HolderOf(lab.Id));
        Assert.Equal(KeyHolder.Patient, reader.HolderOf(patient.Id));
        Assert.Equal(patient.PublicJwk.Thumbprint(), reader.ResolveKey(patient.Id)!.Thumbprint());
        Assert.Equal(Mpi, reader.Key(patient.Id)!.Mpi);
    }

    [Fact]
    public async Task UnknownIds_GiveNullOrEmpty()
    {
        await using var kit = new LedgerKit();
        var reader = kit.Engine.Reader;
        var unknownId = new string('A', 43);

        Assert.Null(reader.Block(reader.Height + 1));
        Assert.Null(reader.Block(-1));
        Assert.Empty(reader.TransactionsOf(reader.Height + 1));
        var page = reader.TransactionPage(reader.Height + 1, 0, 10);
        Assert.Empty(page.Items);
        Assert.Equal(0, page.Total);
        Assert.Null(reader.Transaction(unknownId));
        Assert.Null(reader.Transaction("not base64url!"));
        Assert.Null(reader.Transaction(new byte[32]));
        Assert.False(reader.ContainsTransaction(unknownId));
        Assert.False(reader.ContainsTransaction("short"));
        Assert.Null(reader.Receipt(unknownId));
        Assert.Null(reader.Receipt("short"));
        Assert.Null(reader.Patient(Mpi));
        Assert.False(reader.IsRegistered(Mpi));
        Assert.Null(reader.PatientView(Mpi));
        Assert.Empty(reader.KeysOf(Mpi));
        Assert.Empty(reader.GrantsOf(Mpi));
        Assert.Empty(reader.RecordsOf(Mpi));
        Assert.Empty(reader.AccessesOf(Mpi));
        Assert.Null(reader.Grant(unknownId));
        Assert.Null(reader.Key("nobody"));
        Assert.Null(reader.Node("nobody"));
        Assert.Null(reader.NodeStatusOf("nobody"));
        Assert.Null(reader.FacilityView("nobody"));
        Assert.Empty(reader.RecordsOfFacility("nobody"));
        Assert.Null(reader.Record("nobody", "lab-1"));
        Assert.Null(reader.RecordAnchoredBy(new byte[32]));
        Assert.Null(reader.ResolveKey("nobody"));
        Assert.Equal(KeyHolder.Unknown, reader.HolderOf("nobody"));
    }

    [Fact]
    public async Task AReplicaBehind_AnswersAtItsOwnHeight_AndKnowsNothingLater()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient(Mpi);
        var early = (await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"))).Receipt!;

        // A replica holds a committed prefix of the chain: copy the store as it is now, through SQLite's backup.
        var replicaFolder = Directory.CreateTempSubdirectory("hp-replica-").FullName;
        var replicaPath = Path.Combine(replicaFolder, "ledger.db");
        using (var source = new SqliteConnection($"Data Source={kit.Options.DatabasePath};Mode=ReadOnly;Pooling=False"))
        using (var target = new SqliteConnection($"Data Source={replicaPath};Pooling=False"))
        {
            source.Open();
            target.Open();
            source.BackupDatabase(target);
        }
        var late = (await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-2"))).Receipt!;

        var replica = LedgerEngine.Open(new LedgerOptions { DatabasePath = replicaPath }, null, kit.Sealer, kit.Clock);
        try
        {
            var behind = replica.Reader;
            var primary = kit.Engine.Reader;
            Assert.Equal(early.Height, behind.Height);
            Assert.True(primary.Height > behind.Height);
            Assert.Equal(primary.Block(early.Height)!.Hash, behind.Head().Hash);
            Assert.Equal(primary.Receipt(early.TransactionId)!.ToJsonString(), behind.Receipt(early.TransactionId)!.ToJsonString());
            Assert.Null(behind.Receipt(late.TransactionId));
            Assert.Null(behind.Block(late.Height));
            Assert.Null(behind.Record(lab.Id, "lab-2"));
            Assert.Equal(["lab-1"], behind.RecordsOf(Mpi).Select(r => r.RecordId));
            Assert.Equal(["lab-1", "lab-2"], primary.RecordsOf(Mpi).Select(r => r.RecordId));
        }
        finally
        {
            await replica.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(replicaFolder, recursive: true); } catch (IOException) { }
        }
    }
}
