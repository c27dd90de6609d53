using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Ledger.Storage;

/// <summary>
/// The contract of <see cref="IBlockStore"/>, run by every implementation (one subclass each): genesis, commit and
/// read back, id lookup, paging, derived state, all-or-nothing commits and reopening. The store is written
/// directly (no engine, no rules), so what is checked is the store alone: what goes in comes back byte for byte.
/// </summary>
public abstract class BlockStoreConformance : IDisposable
{
    private readonly List<IBlockStore> _open = [];
    private readonly LedgerKeyPair _admin = LedgerKeyPair.Create();
    private readonly LedgerKeyPair _sealer = LedgerKeyPair.Create();
    private readonly TransactionFactory _tx = new();
    private readonly Genesis _genesis;
    private byte[] _previous = new byte[32];
    private long _txTotal;
    private long _height = -1;

    protected BlockStoreConformance()
    {
        _genesis = new Genesis("conformance", 1_700_000_000_000, [_admin.PublicJwk],
            new GenesisNode(_sealer.PublicJwk, NodeKind.Hospital, "Genesis Hospital", "https://genesis.example"),
            new GenesisParameters(4, 4, 365, 300_000));
    }

    /// <summary>Opens the store under test at this test's location; called again after a dispose, it must reopen the same data.</summary>
    protected abstract IBlockStore OpenStore();

    private IBlockStore Open()
    {
        var store = OpenStore();
        _open.Add(store);
        return store;
    }

    public virtual void Dispose()
    {
        foreach (var store in _open) store.Dispose();
        _open.Clear();
        GC.SuppressFinalize(this);
    }

    // ---- building blocks ------------------------------------------------------------------------------------------

    private StoredBlock Block0()
    {
        var header = new BlockHeader(BlockHeader.CurrentVersion, _genesis.ChainId, 0, new byte[32], MerkleHash.Empty(), MerkleHash.Empty(), 0, 0,
            _genesis.Timestamp, _sealer.Id, MerkleHash.Empty(), _genesis.Hash());
        return Seal(header, 0);
    }

    private StoredBlock Seal(BlockHeader header, long txFirst)
    {
        var bytes = header.CanonicalBytes();
        var block = new StoredBlock(header, bytes, _sealer.Sign(bytes), BlockHeader.HashOf(bytes), txFirst, header.TxCount);
        _previous = block.Hash;
        _height = header.Height;
        _txTotal = txFirst + header.TxCount;
        return block;
    }

    private IBlockStore WithGenesis()
    {
        var store = Open();
        store.InitializeGenesis(_genesis, Block0());
        return store;
    }

    /// <summary>The next block of <paramref name="count"/> record anchors (signed by the sealer) and their state changes.</summary>
    private (StoredBlock Block, List<Transaction> Transactions, StateOverlay Changes) NextBlock(IBlockStore store, int count, Action<StateOverlay, List<Transaction>, long>? tamper = null)
    {
        var height = _height + 1;
        var transactions = new List<Transaction>();
        var changes = new StateOverlay(new LedgerState(_genesis));
        for (var i = 0; i < count; i++)
        {
            var mpi = $"MPI-{height:D3}{i}";
            var record = $"rec-{height}-{i}";
            var tx = _tx.RecordAnchor(mpi, _sealer.Id, record, "lab", "2026-01-01", Base64Url.Encode(new byte[32]), "https://ehr.example/" + record).SignWith(_sealer);
            transactions.Add(tx);
            changes.Put(new PatientEntry(mpi, Base64Url.Encode(new byte[32]), height, tx.IdText, height));
            changes.Add(new RecordEntry(_sealer.Id, record, mpi, "lab", "2026-01-01", Base64Url.Encode(new byte[32]),
                "https://ehr.example/" + record, tx.IdText, height, i, tx.Timestamp));
        }
        tamper?.Invoke(changes, transactions, height);
        var header = new BlockHeader(BlockHeader.CurrentVersion, _genesis.ChainId, height, _previous,
            new BlockMerkleTree(transactions.ConvertAll(t => t.Id)).Root, BlockHeader.SignatureRoot(transactions.Select(t => t.StoredSignatures)),
            transactions.Count, _txTotal + transactions.Count, _genesis.Timestamp + height, _sealer.Id, MerkleHash.Empty(), null);
        var bytes = header.CanonicalBytes();
        // Not sealed yet (Seal moves the builder on): a failed append must leave the builder where the store is.
        var block = new StoredBlock(header, bytes, _sealer.Sign(bytes), BlockHeader.HashOf(bytes), _txTotal, transactions.Count);
        return (block, transactions, changes);
    }

    private List<Transaction> Commit(IBlockStore store, int count)
    {
        var (block, transactions, changes) = NextBlock(store, count);
        store.Append(block, transactions, changes);
        Seal(block.Header, block.TxFirst);
        return transactions;
    }

    /// <summary>Genesis and blocks of 2, 3 and 1 transactions: seqs 0-1 at height 1, 2-4 at 2, 5 at 3.</summary>
    private (IBlockStore Store, List<Transaction> All) SmallChain()
    {
        var store = WithGenesis();
        var all = new List<Transaction>();
        foreach (var count in new[] { 2, 3, 1 }) all.AddRange(Commit(store, count));
        return (store, all);
    }

    // ---- the contract ---------------------------------------------------------------------------------------------

    [Fact]
    public void NewStore_IsEmpty()
    {
        var store = Open();
        Assert.Null(store.ReadGenesis());
        Assert.Null(store.Head());
        Assert.Null(store.ReadRawHead());
        Assert.Equal(0, store.TransactionCount);
        Assert.Empty(store.ReadRawBlocks());
        Assert.False(store.ContainsTransaction(new byte[32]));
    }

    [Fact]
    public void InitializeGenesis_StoresTheDocumentBlockZeroAndTheSealer()
    {
        var store = WithGenesis();
        Assert.Equal(_genesis.Hash(), store.ReadGenesis()!.Hash());
        var head = store.Head()!;
        Assert.Equal(0, head.Header.Height);
        Assert.Equal(_genesis.Hash(), head.Header.Genesis);
        Assert.Equal(0, store.TransactionCount);
        var state = store.LoadState(_genesis, 0);
        Assert.Equal(NodeStatus.Approved, state.Node(_sealer.Id)!.Status);
    }

    [Fact]
    public void CommittedBlocksAndTransactions_ReadBackByteForByte()
    {
        var (store, all) = SmallChain();
        Assert.Equal(3, store.Head()!.Header.Height);
        Assert.Equal(6, store.TransactionCount);

        var block2 = store.ReadBlock(2)!;
        Assert.Equal((2L, 3), (block2.TxFirst, block2.TxCount));
        Assert.Equal(block2.HeaderBytes, store.ReadRawBlocks().Single(b => b.Height == 2).Header);
        Assert.Equal(BlockHeader.HashOf(block2.HeaderBytes), block2.Hash);

        var rows = store.ReadTransactions(0, 6);
        Assert.Equal([0L, 1, 2, 3, 4, 5], rows.Select(r => r.Seq));
        Assert.Equal([1L, 1, 2, 2, 2, 3], rows.Select(r => r.Height));
        Assert.Equal([0, 1, 0, 1, 2, 0], rows.Select(r => r.Index));
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal(all[i].Id, rows[i].Id);
            Assert.Equal(all[i].Type, rows[i].Type);
            Assert.Equal(all[i].CanonicalBody.ToArray(), rows[i].Body);
            Assert.Equal(all[i].StoredSignatures, rows[i].SignaturesJson);
            Assert.Equal(all[i].Id, rows[i].RecomputeId());
            var rebuilt = rows[i].ToTransaction();
            Assert.True(rebuilt.IsSuccess, rebuilt.Message);
            Assert.Equal(all[i].SigningBytes, rebuilt.Value!.SigningBytes);
            Assert.Equal(all[i].Signatures.Single().Signature, rebuilt.Value.Signatures.Single().Signature);
        }
    }

    [Fact]
    public void TransactionIds_AreFoundByIdAndUnknownIdsAreNot()
    {
        var (store, all) = SmallChain();
        for (var seq = 0; seq < all.Count; seq++)
        {
            Assert.Equal(seq, store.FindSeq(all[seq].Id));
            Assert.True(store.ContainsTransaction(all[seq].Id));
            Assert.Equal(all[seq].Id, store.ReadTransaction(seq)!.Id);
        }
        // Same first 8 bytes as a stored id (the in-memory index's key), different id: not found.
        var twin = (byte[])all[0].Id.Clone();
        twin[31] ^= 1;
        Assert.Null(store.FindSeq(twin));
        Assert.False(store.ContainsTransaction(twin));
        Assert.Null(store.ReadTransaction(all.Count));
    }

    [Fact]
    public void Paging_ReturnsThePageAskedForInOrder()
    {
        var (store, _) = SmallChain();
        Assert.Equal([1L, 2], store.ReadBlocks(1, 2).Select(b => b.Header.Height));
        Assert.Equal([3L, 2, 1], store.ReadBlocks(3, 3, descending: true).Select(b => b.Header.Height));
        Assert.Equal([2L, 3], store.ReadBlocks(2, 10).Select(b => b.Header.Height));
        Assert.Empty(store.ReadBlocks(4, 10));
        Assert.Equal([4L, 5], store.ReadTransactions(4, 10).Select(t => t.Seq));
        Assert.Empty(store.ReadTransactions(6, 10));
        Assert.Equal([0L, 1, 2, 3], store.ReadRawBlocks().Select(b => b.Height));
    }

    [Fact]
    public void DerivedState_IsStoredWithItsBlockAndClearedWithoutTouchingBlocks()
    {
        var (store, all) = SmallChain();
        var state = store.LoadState(_genesis, 3);
        Assert.Equal(2, state.Patient("MPI-0021")!.RegisteredHeight);
        var record = store.FindRecord(_sealer.Id, "rec-2-1")!;
        Assert.Equal((2L, 1, all[3].IdText), (record.Height, record.Index, record.TxId));
        Assert.Equal(6, store.DumpTable("records").Count);

        store.ClearState();
        Assert.Empty(store.DumpTable("records"));
        Assert.Empty(store.DumpTable("patients"));
        Assert.Null(store.FindRecord(_sealer.Id, "rec-2-1"));
        Assert.Equal(6, store.TransactionCount);
        Assert.Equal(3, store.Head()!.Header.Height);
    }

    [Fact]
    public void FailedAppend_LeavesNothingOfTheBlock_AndTheSameHeightCommitsAfterwards()
    {
        var store = WithGenesis();
        Commit(store, 2);
        var stateBefore = store.DumpTable("patients");

        // Two records at the same index: the block row and its transactions are written first, then the second
        // record's row collides with the first's and the append fails inside its SQLite transaction.
        var (block, transactions, changes) = NextBlock(store, 2, (overlay, txs, height) =>
            overlay.Add(new RecordEntry(_sealer.Id, "rec-dup", "MPI-dup", "lab", "2026-01-01", Base64Url.Encode(new byte[32]),
                "https://ehr.example/dup", txs[0].IdText, height, 0, txs[0].Timestamp)));
        Assert.ThrowsAny<Exception>(() => store.Append(block, transactions, changes));

        Assert.Equal(1, store.Head()!.Header.Height);
        Assert.Null(store.ReadBlock(2));
        Assert.Equal(2, store.TransactionCount);
        Assert.Empty(store.ReadTransactions(2, 10));
        Assert.All(transactions, t => Assert.False(store.ContainsTransaction(t.Id)));
        Assert.Null(store.FindRecord(_sealer.Id, "rec-2-0"));
        Assert.Null(store.FindRecord(_sealer.Id, "rec-dup"));
        Assert.Equal(stateBefore, store.DumpTable("patients"));

        var retried = Commit(store, 1);
        Assert.Equal(2, store.Head()!.Header.Height);
        Assert.Equal(2, store.FindSeq(retried[0].Id));
    }

    [Fact]
    public void Reopened_HoldsEverythingAndFindsIdsAndRecordsAgain()
    {
        var (store, all) = SmallChain();
        var head = store.Head()!;
        var records = store.DumpTable("records");
        store.Dispose();
        _open.Remove(store);

        var reopened = Open();
        Assert.Equal(_genesis.Hash(), reopened.ReadGenesis()!.Hash());
        Assert.Equal(head.Hash, reopened.Head()!.Hash);
        Assert.Equal(6, reopened.TransactionCount);
        // The in-memory indexes are rebuilt from the tables.
        for (var seq = 0; seq < all.Count; seq++) Assert.Equal(seq, reopened.FindSeq(all[seq].Id));
        Assert.Equal("rec-3-0", reopened.FindRecord(_sealer.Id, "rec-3-0")!.RecordId);
        Assert.Equal(records, reopened.DumpTable("records"));
        Assert.Equal(3, reopened.LoadState(_genesis, 3).Patient("MPI-0030")!.RegisteredHeight);

        // And it extends where it stopped.
        var next = Commit(reopened, 1);
        Assert.Equal(6, reopened.FindSeq(next[0].Id));
    }
}

/// <summary>The node's store: one SQLite file.</summary>
public sealed class SqliteFileBlockStoreConformance : BlockStoreConformance
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hp-store-").FullName;

    protected override IBlockStore OpenStore() => SqliteBlockStore.Open(Path.Combine(_folder, "ledger.db"));

    public override void Dispose()
    {
        base.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// The same store in SQLite's shared-cache memory. A memory database lives while a connection to it is open, so the
/// test keeps one open for its whole life: that is what "reopen" means for it.
/// </summary>
public sealed class SqliteMemoryBlockStoreConformance : BlockStoreConformance
{
    private readonly string _name = "hp-conformance-" + Guid.NewGuid().ToString("N");
    private readonly Microsoft.Data.Sqlite.SqliteConnection _keepAlive;

    public SqliteMemoryBlockStoreConformance()
    {
        _keepAlive = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_name};Mode=Memory;Cache=Shared;Pooling=False");
        _keepAlive.Open();
    }

    protected override IBlockStore OpenStore() => SqliteBlockStore.OpenInMemory(_name);

    public override void Dispose()
    {
        base.Dispose();
        _keepAlive.Dispose();
    }
}
