using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// What the engine, the sequencer and the verifier need from a node's block store. Every implementation runs the
/// storage conformance suite (HealthPortal.Tests/Ledger/Storage/BlockStoreConformance.cs). Contract:
/// <list type="bullet">
/// <item>one writer (<see cref="InitializeGenesis"/>, <see cref="Append"/>, <see cref="ClearState"/>); reads from any thread;</item>
/// <item><see cref="Append"/> is all-or-nothing: when it throws, no row of the block, its transactions or its state is
/// visible and no index knows its ids;</item>
/// <item>transactions are numbered by seq from 0 in ledger order; blocks by height from 0 (genesis).</item>
/// </list>
/// </summary>
public interface IBlockStore : IRecordLookup, IDisposable
{
    bool IsReadOnly { get; }

    /// <summary>The genesis document, or null for a new, empty store.</summary>
    Genesis? ReadGenesis();

    StoredBlock? Head();

    /// <summary>The last block row exactly as stored, its header not yet parsed: what the start-up check reads.</summary>
    (long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)? ReadRawHead();

    long TransactionCount { get; }

    /// <summary>Writes the genesis document and block 0 in one transaction. Precondition: the store is empty.</summary>
    void InitializeGenesis(Genesis genesis, StoredBlock block0);

    /// <summary>Commits a sealed block, its transactions and its state changes atomically and durably.</summary>
    void Append(StoredBlock block, IReadOnlyList<Transaction> transactions, StateOverlay changes);

    bool ContainsTransaction(ReadOnlySpan<byte> id);

    long? FindSeq(ReadOnlySpan<byte> id);

    StoredTransaction? ReadTransaction(long seq);

    /// <summary>Up to <paramref name="count"/> transactions from seq <paramref name="firstSeq"/>, in seq order.</summary>
    IReadOnlyList<StoredTransaction> ReadTransactions(long firstSeq, int count);

    StoredBlock? ReadBlock(long height);

    /// <summary>Up to <paramref name="count"/> blocks from <paramref name="fromHeight"/> up (or down when descending).</summary>
    IReadOnlyList<StoredBlock> ReadBlocks(long fromHeight, int count, bool descending = false);

    /// <summary>Raw block rows in height order, for verification (headers are parsed, not trusted).</summary>
    IEnumerable<(long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)> ReadRawBlocks();

    /// <summary>The committed derived state (nodes, patients, keys, grants) at <paramref name="height"/>.</summary>
    LedgerState LoadState(Genesis genesis, long height);

    /// <summary>Every row of a derived-state table as text, ordered by key: what replay must reproduce exactly.</summary>
    IReadOnlyList<string> DumpTable(string table);

    /// <summary>Deletes every derived-state row (before a rebuild by replay). Blocks and transactions are untouched.</summary>
    void ClearState();
}
