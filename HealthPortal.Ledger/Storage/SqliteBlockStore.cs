using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// One SQLite file per node (WAL, <c>synchronous=FULL</c> by default, see <see cref="LedgerStorageOptions"/>). A block,
/// its transactions and its derived-state changes are written in ONE SQLite transaction, so after a crash either all
/// of a block is there or none of it. Only one writer (the sequencer) may call <see cref="Append"/>; reads may come
/// from any thread. The work is done by <see cref="SqliteBlockWriter"/>, <see cref="SqliteBlockReader"/> and the
/// in-memory <see cref="StoreIndexes"/>; this type opens the connection, checks the schema version and delegates.
/// </summary>
public sealed class SqliteBlockStore : IBlockStore
{
    private readonly SqliteConnection _connection;
    private readonly StoreIndexes _indexes = new();
    private readonly SqliteBlockWriter _writer;
    private readonly SqliteBlockReader _reader;

    private SqliteBlockStore(string path, string writerConnectionString, string readConnectionString, bool readOnly, LedgerStorageOptions options)
    {
        FilePath = path;
        _connection = new SqliteConnection(writerConnectionString);
        try
        {
            _connection.Open();
            // Before any pragma or CREATE/DROP statement: a store of another layout is refused untouched.
            Schema.Check(_connection, path);
            if (!readOnly)
            {
                // FULL (the default): a block is acknowledged only after its WAL frames are fsynced.
                Sql.Exec(_connection, options.Pragmas());
                Sql.Exec(_connection, Schema.Create);
            }
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
        IsReadOnly = readOnly;
        _writer = new SqliteBlockWriter(_connection, _indexes);
        _reader = new SqliteBlockReader(_connection, readConnectionString, _indexes);
    }

    public string FilePath { get; }

    public bool IsReadOnly { get; }

    /// <summary>Stopwatch ticks spent in block commits (WAL write + fsync) so far; written by the one writer.</summary>
    internal long CommitTicks => _writer.CommitTicks;

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> and loads its transaction id index.</summary>
    /// <param name="durable">false for a scratch store (replay): <see cref="LedgerStorageOptions.Scratch"/>.</param>
    /// <exception cref="LedgerSchemaException">the store was written with another schema version.</exception>
    public static SqliteBlockStore Open(string path, bool readOnly = false, bool durable = true)
        => Open(path, durable ? new LedgerStorageOptions() : LedgerStorageOptions.Scratch, readOnly);

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> with these pragmas.</summary>
    /// <exception cref="ArgumentException">the options are invalid (nothing is opened).</exception>
    /// <exception cref="LedgerSchemaException">the store was written with another schema version.</exception>
    public static SqliteBlockStore Open(string path, LedgerStorageOptions options, bool readOnly = false)
    {
        options.ThrowIfInvalid();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !readOnly) Directory.CreateDirectory(directory);
        var writer = new SqliteConnectionStringBuilder
        {
            DataSource = path, Pooling = true, Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = options.BusyTimeoutSeconds,
        };
        var reader = new SqliteConnectionStringBuilder
            { DataSource = path, Pooling = true, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = options.BusyTimeoutSeconds };
        return Loaded(new SqliteBlockStore(path, writer.ToString(), reader.ToString(), readOnly, options));
    }

    /// <summary>
    /// A store in SQLite's shared-cache memory under <paramref name="name"/>, living while any connection to it is
    /// open (this store's own, or another the caller keeps). The same statements as the file store; no durability
    /// and no WAL (readers wait for a commit in progress instead of reading beside it), so it suits scratch work and
    /// tests, not a node.
    /// </summary>
    public static SqliteBlockStore OpenInMemory(string name, LedgerStorageOptions? options = null)
    {
        options ??= LedgerStorageOptions.Scratch;
        options.ThrowIfInvalid();
        // No pooling: a pooled idle connection would keep the database alive after the store is disposed.
        var connection = new SqliteConnectionStringBuilder
            { DataSource = name, Mode = SqliteOpenMode.Memory, Cache = SqliteCacheMode.Shared, Pooling = false, DefaultTimeout = options.BusyTimeoutSeconds }.ToString();
        return Loaded(new SqliteBlockStore("memory:" + name, connection, connection, readOnly: false, options));
    }

    private static SqliteBlockStore Loaded(SqliteBlockStore store)
    {
        try
        {
            store._indexes.Load(store._connection);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    // ---- genesis and head -----------------------------------------------------------------------------------------

    public Genesis? ReadGenesis() => _reader.ReadGenesis();

    public StoredBlock? Head() => _reader.Head();

    /// <summary>The last block row exactly as stored, its header not yet parsed: what the start-up check reads.</summary>
    public (long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)? ReadRawHead() => _reader.ReadRawHead();

    public long TransactionCount => _reader.TransactionCount;

    // ---- writing --------------------------------------------------------------------------------------------------

    /// <summary>Writes the genesis document and block 0 in one transaction. Precondition: the store is empty.</summary>
    public void InitializeGenesis(Genesis genesis, StoredBlock block0) => _writer.InitializeGenesis(genesis, block0);

    /// <summary>
    /// Appends a sealed block, its transactions (numbered from <see cref="StoredBlock.TxFirst"/>) and the block's
    /// state changes in one SQLite transaction. When this returns, the block is durable.
    /// </summary>
    public void Append(StoredBlock block, IReadOnlyList<Transaction> transactions, StateOverlay changes) => _writer.Append(block, transactions, changes);

    /// <summary>Deletes every derived-state row (before a rebuild by replay). Blocks and transactions are untouched.</summary>
    public void ClearState() => _writer.ClearState();

    /// <summary>Runs raw SQL on the writer connection. For tests that damage a store on purpose and for operators.</summary>
    internal int ExecuteRaw(string sql) => _writer.ExecuteRaw(sql);

    /// <summary>The value of a pragma on the writer connection (what <see cref="LedgerStorageOptions"/> set), for tests and operators.</summary>
    internal string Pragma(string name)
    {
        if (name is not ("journal_mode" or "synchronous" or "cache_size" or "wal_autocheckpoint"))
            throw new ArgumentException($"not a storage pragma: {name}", nameof(name));
        using var cmd = Sql.Command(_connection, "PRAGMA " + name);
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    /// <summary>How long statements on this store retry while the database is busy (<see cref="LedgerStorageOptions.BusyTimeoutSeconds"/>).</summary>
    internal int BusyTimeoutSeconds => _connection.DefaultTimeout;

    // ---- reading --------------------------------------------------------------------------------------------------

    /// <summary>True when a transaction with this id is stored (the ledger refuses a repeated id).</summary>
    public bool ContainsTransaction(ReadOnlySpan<byte> id) => _reader.ContainsTransaction(id);

    public long? FindSeq(ReadOnlySpan<byte> id) => _reader.FindSeq(id);

    public StoredTransaction? ReadTransaction(long seq) => _reader.ReadTransaction(seq);

    public IReadOnlyList<StoredTransaction> ReadTransactions(long firstSeq, int count) => _reader.ReadTransactions(firstSeq, count);

    public StoredBlock? ReadBlock(long height) => _reader.ReadBlock(height);

    /// <summary>Raw block rows in height order, for verification (headers are parsed, not trusted).</summary>
    public IEnumerable<(long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)> ReadRawBlocks() => _reader.ReadRawBlocks();

    public IReadOnlyList<StoredBlock> ReadBlocks(long fromHeight, int count, bool descending = false) => _reader.ReadBlocks(fromHeight, count, descending);

    /// <summary>
    /// Looks up a committed record for the rules. Safe to call while another thread appends a block: it reads on its
    /// own connection and sees what had committed when it ran. A record that was never committed is usually answered
    /// from an in-memory filter of committed keys without reading SQLite.
    /// </summary>
    public RecordEntry? FindRecord(string facility, string recordId) => _reader.FindRecord(facility, recordId);

    /// <summary>The committed supersession that replaced a record (any thread), or null.</summary>
    public SupersessionEntry? FindSupersession(string facility, string recordId) => _reader.FindSupersession(facility, recordId);

    /// <summary>The committed supersession that made a record (naming the version it replaced), or null.</summary>
    public SupersessionEntry? SupersessionMaking(string facility, string recordId) => _reader.SupersessionMaking(facility, recordId);

    /// <summary>Every committed supersession among a patient's records, in ledger order.</summary>
    public IReadOnlyList<SupersessionEntry> SupersessionsOf(string mpi) => _reader.SupersessionsOf(mpi);

    /// <summary>The committed retraction of a record (any thread), or null.</summary>
    public RetractionEntry? FindRetraction(string facility, string recordId) => _reader.FindRetraction(facility, recordId);

    /// <summary>Every committed retraction among a patient's records, in ledger order.</summary>
    public IReadOnlyList<RetractionEntry> RetractionsOf(string mpi) => _reader.RetractionsOf(mpi);

    /// <summary>Looks up a record from a reader connection (any thread).</summary>
    public RecordEntry? ReadRecord(string facility, string recordId) => _reader.ReadRecord(facility, recordId);

    /// <summary>A patient's committed records in ledger order.</summary>
    public IReadOnlyList<RecordEntry> RecordsOf(string mpi) => _reader.RecordsOf(mpi);

    public IReadOnlyList<RecordEntry> RecordsOfFacility(string facility, int limit = 1000) => _reader.RecordsOfFacility(facility, limit);

    /// <summary>A patient's logged accesses in ledger order.</summary>
    public IReadOnlyList<AccessEntry> AccessesOf(string mpi) => _reader.AccessesOf(mpi);

    /// <summary>The transactions delegates signed for a patient, in ledger order.</summary>
    public IReadOnlyList<DelegatedActEntry> DelegatedActsOf(string mpi) => _reader.DelegatedActsOf(mpi);

    /// <summary>Every break-glass access of every patient, newest first: the review queue of the consortium.</summary>
    public IReadOnlyList<AccessEntry> BreakGlassAccesses() => _reader.BreakGlassAccesses();

    /// <summary>Loads the committed in-memory state (nodes, patients, keys, grants) from the derived-state tables.</summary>
    public LedgerState LoadState(Genesis genesis, long height) => _reader.LoadState(genesis, height);

    /// <summary>Every row of a derived-state table as text, ordered by key: what replay must reproduce exactly.</summary>
    public IReadOnlyList<string> DumpTable(string table) => _reader.DumpTable(table);

    /// <summary>Streams a derived-state table in primary-key order as (key, height, row text) for comparison.</summary>
    internal IEnumerable<(string Key, long Height, string Row)> StreamTable(string table) => _reader.StreamTable(table);

    /// <summary>
    /// Closes the store cleanly: a writable file store first folds its WAL into the database and truncates it
    /// (<c>wal_checkpoint(TRUNCATE)</c>), then its pooled connections are closed, so SQLite deletes the -wal and -shm
    /// files and the data folder holds one self-contained file (what a copy, a backup or the next start sees).
    /// Precondition: the writer (the sequencer) has stopped.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _writer?.Dispose();
        _reader?.Dispose();
        // Pooled connections keep the file open after Dispose. ClearPool needs an instance that opened a connection of
        // the pool, and the readers' came and went, so all pools are cleared: that closes only idle connections
        // (other stores of the process merely reopen theirs), never one in use. The readers go first: SQLite removes
        // the WAL when the last connection closes, and only if that one may write.
        SqliteConnection.ClearAllPools();
        if (!IsReadOnly && !FilePath.StartsWith("memory:", StringComparison.Ordinal)) CheckpointAtClose();
        _connection.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private int _disposed;

    /// <summary>
    /// TRUNCATE needs every reader out of the WAL; a reader (a verification's or a backup's snapshot, a page's
    /// query) may hold it for a moment, so retry briefly. Giving up loses nothing: the WAL is still there, fsynced,
    /// and the next open replays it.
    /// </summary>
    private void CheckpointAtClose()
    {
        var deadline = Environment.TickCount64 + CloseCheckpointMilliseconds;
        try
        {
            while (true)
            {
                using var cmd = Sql.Command(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
                using var row = cmd.ExecuteReader();
                // (busy, log frames, checkpointed frames); busy = 0 means the WAL was folded in and truncated.
                if (!row.Read() || row.GetInt64(0) == 0) return;
                if (Environment.TickCount64 >= deadline) return;
                Thread.Sleep(50);
            }
        }
        catch (SqliteException)
        {
            // A full disk or a read-only folder at close: the WAL keeps the committed blocks; nothing to undo here.
        }
    }

    /// <summary>How long closing waits for readers to leave the WAL before leaving it for the next open.</summary>
    internal const int CloseCheckpointMilliseconds = 2000;
}
