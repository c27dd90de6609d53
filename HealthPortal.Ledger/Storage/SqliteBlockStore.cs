using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// One SQLite file per node (WAL, <c>synchronous=FULL</c>). A block, its transactions and its derived-state changes
/// are written in ONE SQLite transaction, so after a crash either all of a block is there or none of it.
/// Only one writer (the sequencer) may call <see cref="Append"/>; reads may come from any thread.
/// </summary>
public sealed class SqliteBlockStore : IRecordLookup, IDisposable
{
    private readonly string _readConnectionString;
    private readonly SqliteConnection _writer;
    private readonly TxIdIndex _ids = new();
    private readonly RecordKeyFilter _recordKeys = new();
    private readonly PatientRecordIndex _recordsByMpi = new();
    private readonly Lock _lookupLock = new();
    private SqliteConnection? _lookup;
    private readonly Lock _writeLock = new();
    private RawStatement? _insertTx, _insertRecord;
    private SqliteCommand? _findRecord;

    private SqliteBlockStore(string path, bool readOnly, bool durable)
    {
        FilePath = path;
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate };
        _writer = new SqliteConnection(builder.ToString());
        _writer.Open();
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, Mode = SqliteOpenMode.ReadOnly }.ToString();
        if (!readOnly)
        {
            // FULL: a block is acknowledged only after its WAL frames are fsynced. Scratch stores (replay) need no durability.
            Exec(durable
                ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=4000;"
                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072;");
            Exec(Schema.Create);
        }
        IsReadOnly = readOnly;
    }

    public string FilePath { get; }

    public bool IsReadOnly { get; }

    /// <summary>Stopwatch ticks spent in block commits (WAL write + fsync) so far; written by the one writer.</summary>
    internal long CommitTicks { get; private set; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> and loads its transaction id index.</summary>
    public static SqliteBlockStore Open(string path, bool readOnly = false, bool durable = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !readOnly) Directory.CreateDirectory(directory);
        var store = new SqliteBlockStore(path, readOnly, durable);
        store.LoadIdIndex();
        return store;
    }

    // ---- genesis and head -----------------------------------------------------------------------------------------

    public Genesis? ReadGenesis()
    {
        using var cmd = Command(_writer, "SELECT value FROM meta WHERE key = 'genesis'");
        return cmd.ExecuteScalar() is byte[] bytes ? Genesis.FromJson(JsonNode.Parse(bytes)).ValueOrThrow() : null;
    }

    public StoredBlock? Head()
    {
        using var cmd = Command(_writer, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks ORDER BY height DESC LIMIT 1");
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadBlock(r) : null;
    }

    /// <summary>The last block row exactly as stored, its header not yet parsed: what the start-up check reads.</summary>
    public (long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)? ReadRawHead()
    {
        using var cmd = Command(_writer, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks ORDER BY height DESC LIMIT 1");
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), (byte[])r[1], (byte[])r[2], (byte[])r[3], r.GetInt64(4), StoredInt32(r, 5)) : null;
    }

    public long TransactionCount
    {
        get
        {
            using var cmd = Command(_writer, "SELECT COUNT(*) FROM txs");
            return (long)cmd.ExecuteScalar()!;
        }
    }

    // ---- writing --------------------------------------------------------------------------------------------------

    /// <summary>Writes the genesis document and block 0 in one transaction. Precondition: the store is empty.</summary>
    public void InitializeGenesis(Genesis genesis, StoredBlock block0)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            using (var meta = Command(_writer, "INSERT INTO meta(key, value) VALUES ('genesis', $g), ('schema', $s)", tx))
            {
                meta.Parameters.AddWithValue("$g", genesis.CanonicalBytes());
                meta.Parameters.AddWithValue("$s", BitConverter.GetBytes(Schema.Version));
                meta.ExecuteNonQuery();
            }
            InsertBlock(block0, tx);
            UpsertNode(new NodeEntry(genesis.Sealer.Key.Thumbprint(), genesis.Sealer.Key, genesis.Sealer.Kind, genesis.Sealer.Name,
                genesis.Sealer.Endpoint, NodeStatus.Approved, 0, "genesis", 0, 0, "genesis", null, 0), tx);
            tx.Commit();
        }
    }

    /// <summary>
    /// Appends a sealed block, its transactions (numbered from <see cref="StoredBlock.TxFirst"/>) and the block's
    /// state changes in one SQLite transaction. When this returns, the block is durable.
    /// </summary>
    public void Append(StoredBlock block, IReadOnlyList<Transaction> transactions, StateOverlay changes)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            InsertBlock(block, tx);
            _insertTx ??= new RawStatement(_writer, "INSERT INTO txs(seq, height, idx, id, type, body, signatures) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            for (var i = 0; i < transactions.Count; i++)
            {
                var t = transactions[i];
                _insertTx.Bind(1, block.TxFirst + i);
                _insertTx.Bind(2, block.Header.Height);
                _insertTx.Bind(3, i);
                _insertTx.Bind(4, t.Id);
                _insertTx.Bind(5, t.Type);
                _insertTx.Bind(6, t.SigningBytes.AsSpan(8, t.SigningBytes.Length - 8 - 11 - t.Type.Length));
                _insertTx.Bind(7, t.StoredSignatures);
                _insertTx.Execute();
            }
            WriteState(changes, block.TxFirst, tx);
            var committing = System.Diagnostics.Stopwatch.GetTimestamp();
            tx.Commit();
            CommitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - committing;
            for (var i = 0; i < transactions.Count; i++) _ids.Add(transactions[i].Id, block.TxFirst + i);
            foreach (var r in changes.Records) _recordKeys.Add(r.Facility, r.RecordId);
            foreach (var r in changes.Records) _recordsByMpi.Add(r.Mpi, block.TxFirst + r.Index);
        }
    }

    private void WriteState(StateOverlay changes, long txFirst, SqliteTransaction tx)
    {
        foreach (var n in changes.Nodes.Values) UpsertNode(n, tx);
        foreach (var p in changes.Patients.Values)
        {
            using var c = Command(_writer, "INSERT OR REPLACE INTO patients VALUES ($mpi, $d, $rh, $rt, $h)", tx);
            c.Parameters.AddWithValue("$mpi", p.Mpi); c.Parameters.AddWithValue("$d", p.DemographicsHash);
            c.Parameters.AddWithValue("$rh", p.RegisteredHeight); c.Parameters.AddWithValue("$rt", p.RegisterTx);
            c.Parameters.AddWithValue("$h", p.Height);
            c.ExecuteNonQuery();
        }
        foreach (var k in changes.Keys.Values)
        {
            using var c = Command(_writer, "INSERT OR REPLACE INTO patient_keys VALUES ($kid, $mpi, $jwk, $ah, $rh, $h)", tx);
            c.Parameters.AddWithValue("$kid", k.Kid); c.Parameters.AddWithValue("$mpi", k.Mpi);
            c.Parameters.AddWithValue("$jwk", k.Key.ToJson().ToJsonString()); c.Parameters.AddWithValue("$ah", k.AddedHeight);
            c.Parameters.AddWithValue("$rh", (object?)k.RevokedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$h", k.Height);
            c.ExecuteNonQuery();
        }
        foreach (var g in changes.Grants.Values)
        {
            using var c = Command(_writer, "INSERT OR REPLACE INTO grants VALUES ($id, $mpi, $f, $c, $p, $nb, $ea, $ih, $ia, $rh, $ra, $h)", tx);
            c.Parameters.AddWithValue("$id", g.Id); c.Parameters.AddWithValue("$mpi", g.Mpi); c.Parameters.AddWithValue("$f", g.Facility);
            c.Parameters.AddWithValue("$c", JsonSerializer.Serialize(g.Categories)); c.Parameters.AddWithValue("$p", g.Purpose);
            c.Parameters.AddWithValue("$nb", g.NotBefore); c.Parameters.AddWithValue("$ea", g.ExpiresAt);
            c.Parameters.AddWithValue("$ih", g.IssuedHeight); c.Parameters.AddWithValue("$ia", g.IssuedAt);
            c.Parameters.AddWithValue("$rh", (object?)g.RevokedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$ra", (object?)g.RevokedAt ?? DBNull.Value);
            c.Parameters.AddWithValue("$h", g.Height);
            c.ExecuteNonQuery();
        }
        if (changes.Records.Count > 0)
        {
            _insertRecord ??= new RawStatement(_writer, "INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
            foreach (var r in changes.Records)
            {
                var p = _insertRecord;
                p.Bind(1, txFirst + r.Index); p.Bind(2, r.Facility); p.Bind(3, r.RecordId); p.Bind(4, r.Mpi);
                p.Bind(5, r.Category); p.Bind(6, r.Date); p.Bind(7, r.Hash); p.Bind(8, r.Link); p.Bind(9, r.TxId);
                p.Bind(10, r.Height); p.Bind(11, r.Index); p.Bind(12, r.Timestamp);
                p.Execute();
            }
        }
        foreach (var a in changes.Accesses)
        {
            using var c = Command(_writer, "INSERT INTO access_log VALUES ($seq, $tx, $f, $s, $mpi, $r, $g, $b, $p, $ts, $h)", tx);
            c.Parameters.AddWithValue("$seq", txFirst + a.Index); c.Parameters.AddWithValue("$tx", a.TxId); c.Parameters.AddWithValue("$f", a.Facility);
            c.Parameters.AddWithValue("$s", a.Staff); c.Parameters.AddWithValue("$mpi", a.Mpi); c.Parameters.AddWithValue("$r", JsonSerializer.Serialize(a.Records));
            c.Parameters.AddWithValue("$g", (object?)a.Grant ?? DBNull.Value); c.Parameters.AddWithValue("$b", (object?)a.BreakGlass ?? DBNull.Value);
            c.Parameters.AddWithValue("$p", a.Purpose); c.Parameters.AddWithValue("$ts", a.Timestamp); c.Parameters.AddWithValue("$h", a.Height);
            c.ExecuteNonQuery();
        }
    }

    private void UpsertNode(NodeEntry n, SqliteTransaction tx)
    {
        using var c = Command(_writer, "INSERT OR REPLACE INTO nodes VALUES ($id, $jwk, $kind, $name, $ep, $st, $rh, $rt, $pow, $dh, $db, $reason, $h)", tx);
        c.Parameters.AddWithValue("$id", n.Id); c.Parameters.AddWithValue("$jwk", n.Key.ToJson().ToJsonString());
        c.Parameters.AddWithValue("$kind", n.Kind); c.Parameters.AddWithValue("$name", n.Name); c.Parameters.AddWithValue("$ep", n.Endpoint);
        c.Parameters.AddWithValue("$st", n.Status.ToString()); c.Parameters.AddWithValue("$rh", n.RegisteredHeight);
        c.Parameters.AddWithValue("$rt", n.RegisterTx); c.Parameters.AddWithValue("$pow", n.PowBits);
        c.Parameters.AddWithValue("$dh", (object?)n.DecidedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$db", (object?)n.DecidedBy ?? DBNull.Value);
        c.Parameters.AddWithValue("$reason", (object?)n.Reason ?? DBNull.Value); c.Parameters.AddWithValue("$h", n.Height);
        c.ExecuteNonQuery();
    }

    private void InsertBlock(StoredBlock block, SqliteTransaction tx)
    {
        using var c = Command(_writer, "INSERT INTO blocks(height, header, signature, hash, tx_first, tx_count) VALUES ($h, $hd, $s, $hash, $f, $c)", tx);
        c.Parameters.AddWithValue("$h", block.Header.Height); c.Parameters.AddWithValue("$hd", block.HeaderBytes);
        c.Parameters.AddWithValue("$s", block.Signature); c.Parameters.AddWithValue("$hash", block.Hash);
        c.Parameters.AddWithValue("$f", block.TxFirst); c.Parameters.AddWithValue("$c", block.TxCount);
        c.ExecuteNonQuery();
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    /// <summary>True when a transaction with this id is stored (the ledger refuses a repeated id).</summary>
    public bool ContainsTransaction(ReadOnlySpan<byte> id) => FindSeq(id) is not null;

    public long? FindSeq(ReadOnlySpan<byte> id)
    {
        foreach (var seq in _ids.Candidates(id))
        {
            var stored = ReadTransaction(seq);
            if (stored is not null && stored.Id.AsSpan().SequenceEqual(id)) return seq;
        }
        return null;
    }

    public StoredTransaction? ReadTransaction(long seq)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT seq, height, idx, id, type, body, signatures FROM txs WHERE seq = $s");
        cmd.Parameters.AddWithValue("$s", seq);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadTx(r) : null;
    }

    public IReadOnlyList<StoredTransaction> ReadTransactions(long firstSeq, int count)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT seq, height, idx, id, type, body, signatures FROM txs WHERE seq >= $a AND seq < $b ORDER BY seq");
        cmd.Parameters.AddWithValue("$a", firstSeq); cmd.Parameters.AddWithValue("$b", firstSeq + count);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredTransaction>(count);
        while (r.Read()) list.Add(ReadTx(r));
        return list;
    }

    public StoredBlock? ReadBlock(long height)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks WHERE height = $h");
        cmd.Parameters.AddWithValue("$h", height);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadBlock(r) : null;
    }

    /// <summary>Raw block rows in height order, for verification (headers are parsed, not trusted).</summary>
    public IEnumerable<(long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)> ReadRawBlocks()
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks ORDER BY height");
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return (r.GetInt64(0), (byte[])r[1], (byte[])r[2], (byte[])r[3], r.GetInt64(4), StoredInt32(r, 5));
    }

    public IReadOnlyList<StoredBlock> ReadBlocks(long fromHeight, int count, bool descending = false)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, descending
            ? "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks WHERE height <= $a ORDER BY height DESC LIMIT $n"
            : "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks WHERE height >= $a ORDER BY height LIMIT $n");
        cmd.Parameters.AddWithValue("$a", fromHeight); cmd.Parameters.AddWithValue("$n", count);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredBlock>();
        while (r.Read()) list.Add(ReadBlock(r));
        return list;
    }

    /// <summary>
    /// Looks up a committed record for the rules. Safe to call while another thread appends a block: it reads on its
    /// own connection (WAL readers never wait for the writer) and sees what had committed when it ran. A record that
    /// was never committed is usually answered from an in-memory filter of committed keys without reading SQLite.
    /// </summary>
    public RecordEntry? FindRecord(string facility, string recordId)
    {
        if (!_recordKeys.MightContain(facility, recordId)) return null;
        lock (_lookupLock)
        {
            if (_findRecord is null)
            {
                _lookup = new SqliteConnection(_readConnectionString);
                _lookup.Open();
                _findRecord = Command(_lookup, "SELECT * FROM records WHERE facility = $f AND record_id = $r");
                _findRecord.Parameters.Add(new SqliteParameter("$f", null));
                _findRecord.Parameters.Add(new SqliteParameter("$r", null));
                _findRecord.Prepare();
            }
            _findRecord.Parameters[0].Value = facility;
            _findRecord.Parameters[1].Value = recordId;
            using var r = _findRecord.ExecuteReader();
            return r.Read() ? ReadRecord(r) : null;
        }
    }

    /// <summary>Looks up a record from a reader connection (any thread).</summary>
    public RecordEntry? ReadRecord(string facility, string recordId)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT * FROM records WHERE facility = $f AND record_id = $r");
        cmd.Parameters.AddWithValue("$f", facility); cmd.Parameters.AddWithValue("$r", recordId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadRecord(r) : null;
    }

    /// <summary>
    /// A patient's committed records in ledger order. The seqs come from an in-memory index (see <see cref="Schema"/>:
    /// an SQLite index on random MPI numbers made every anchor dirty an index page), the rows by primary key.
    /// </summary>
    public IReadOnlyList<RecordEntry> RecordsOf(string mpi)
    {
        var seqs = _recordsByMpi.Of(mpi);
        if (seqs.Length == 0) return [];
        using var conn = OpenRead();
        using var read = conn.BeginTransaction(deferred: true); // one snapshot for all rows
        using var cmd = Command(conn, "SELECT * FROM records WHERE seq = $s", read);
        var seq = cmd.Parameters.Add(new SqliteParameter("$s", 0L));
        cmd.Prepare();
        var list = new List<RecordEntry>(seqs.Length);
        foreach (var s in seqs)
        {
            seq.Value = s;
            using var r = cmd.ExecuteReader();
            if (r.Read()) list.Add(ReadRecord(r));
        }
        return list;
    }

    public IReadOnlyList<RecordEntry> RecordsOfFacility(string facility, int limit = 1000)
        => QueryRecords("SELECT * FROM records WHERE facility = $v ORDER BY seq DESC LIMIT " + limit, facility);

    /// <summary>A patient's logged accesses in ledger order.</summary>
    public IReadOnlyList<AccessEntry> AccessesOf(string mpi)
        => QueryAccesses("WHERE mpi = $m ORDER BY seq", ("$m", mpi));

    /// <summary>
    /// Every break-glass access of every patient, newest first: the review queue of the consortium. A full scan of
    /// the access log, which is fine for a queue read by admins (break-glass is rare by design); the rows hold only
    /// identifiers and the reason the facility gave, as every access.log does.
    /// </summary>
    public IReadOnlyList<AccessEntry> BreakGlassAccesses()
        => QueryAccesses("WHERE break_glass IS NOT NULL ORDER BY seq DESC");

    private List<AccessEntry> QueryAccesses(string where, params (string Name, object Value)[] parameters)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT tx_id, facility, staff, mpi, records, grant_id, break_glass, purpose, ts, height, (SELECT idx FROM txs WHERE txs.seq = access_log.seq) FROM access_log " + where);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var r = cmd.ExecuteReader();
        var list = new List<AccessEntry>();
        while (r.Read())
            list.Add(new AccessEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                JsonSerializer.Deserialize<string[]>(r.GetString(4))!, r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetInt64(9), r.GetInt32(10)));
        return list;
    }

    /// <summary>Loads the committed in-memory state (nodes, patients, keys, grants) from the derived-state tables.</summary>
    public LedgerState LoadState(Genesis genesis, long height)
    {
        var state = new LedgerState(genesis) { Height = height };
        foreach (var n in ReadNodes()) state.Put(n);
        using var conn = OpenRead();
        using (var cmd = Command(conn, "SELECT mpi, demographics, registered_height, register_tx, height FROM patients"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) state.Put(new PatientEntry(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4)));
        using (var cmd = Command(conn, "SELECT kid, mpi, jwk, added_height, revoked_height, height FROM patient_keys ORDER BY added_height, rowid"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                state.Put(new KeyEntry(r.GetString(0), ParseJwk(r.GetString(2)), r.GetString(1), r.GetInt64(3),
                    r.IsDBNull(4) ? null : r.GetInt64(4), r.GetInt64(5)));
        using (var cmd = Command(conn, "SELECT id, mpi, facility, categories, purpose, not_before, expires_at, issued_height, issued_at, revoked_height, revoked_at, height FROM grants ORDER BY issued_height, rowid"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                state.Put(new GrantEntry(r.GetString(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<string[]>(r.GetString(3))!,
                    r.GetString(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8),
                    r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : r.GetInt64(10), r.GetInt64(11)));
        return state;
    }

    private IEnumerable<NodeEntry> ReadNodes()
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, "SELECT id, jwk, kind, name, endpoint, status, registered_height, register_tx, pow_bits, decided_height, decided_by, reason, height FROM nodes");
        using var r = cmd.ExecuteReader();
        var list = new List<NodeEntry>();
        while (r.Read())
            list.Add(new NodeEntry(r.GetString(0), ParseJwk(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4),
                Enum.Parse<NodeStatus>(r.GetString(5)), r.GetInt64(6), r.GetString(7), r.GetInt32(8),
                r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11), r.GetInt64(12)));
        return list;
    }

    /// <summary>Every row of a derived-state table as text, ordered by key: what replay must reproduce exactly.</summary>
    public IReadOnlyList<string> DumpTable(string table)
    {
        if (Array.IndexOf(Schema.StateTables, table) < 0) throw new ArgumentException($"not a state table: {table}", nameof(table));
        using var conn = OpenRead();
        using var cmd = Command(conn, $"SELECT * FROM {table} ORDER BY 1");
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        var values = new object[r.FieldCount];
        while (r.Read())
        {
            r.GetValues(values);
            rows.Add(string.Join('|', values.Select(v => v switch { DBNull => "∅", byte[] b => Convert.ToHexString(b), _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) })));
        }
        return rows;
    }

    /// <summary>Streams a derived-state table in primary-key order as (key, height, row text) for comparison.</summary>
    internal IEnumerable<(string Key, long Height, string Row)> StreamTable(string table)
    {
        if (Array.IndexOf(Schema.StateTables, table) < 0) throw new ArgumentException($"not a state table: {table}", nameof(table));
        using var conn = OpenRead();
        using var cmd = Command(conn, $"SELECT * FROM {table} ORDER BY 1");
        using var r = cmd.ExecuteReader();
        var heightColumn = r.GetOrdinal("height");
        var values = new object[r.FieldCount];
        while (r.Read())
        {
            r.GetValues(values);
            var key = values[0] is long n ? n.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(values[0], System.Globalization.CultureInfo.InvariantCulture)!;
            var height = values[heightColumn] is long h ? h : long.MaxValue;
            yield return (key, height, string.Join('|', values.Select(v => v switch
            {
                DBNull => "∅",
                byte[] b => Convert.ToHexString(b),
                _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            })));
        }
    }

    /// <summary>Deletes every derived-state row (before a rebuild by replay). Blocks and transactions are untouched.</summary>
    public void ClearState()
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            foreach (var t in Schema.StateTables)
                using (var c = Command(_writer, $"DELETE FROM {t}", tx)) c.ExecuteNonQuery();
            tx.Commit();
            _recordKeys.Clear();
            _recordsByMpi.Clear();
        }
    }

    /// <summary>Runs raw SQL on the writer connection. For tests that damage a store on purpose and for operators.</summary>
    internal int ExecuteRaw(string sql)
    {
        lock (_writeLock)
        {
            using var c = Command(_writer, sql);
            return c.ExecuteNonQuery();
        }
    }

    private IReadOnlyList<RecordEntry> QueryRecords(string sql, string value)
    {
        using var conn = OpenRead();
        using var cmd = Command(conn, sql);
        cmd.Parameters.AddWithValue("$v", value);
        using var r = cmd.ExecuteReader();
        var list = new List<RecordEntry>();
        while (r.Read()) list.Add(ReadRecord(r));
        return list;
    }

    private static RecordEntry ReadRecord(SqliteDataReader r)
        => new(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7),
            r.GetString(8), r.GetInt64(9), r.GetInt32(10), r.GetInt64(11));

    private static StoredBlock ReadBlock(SqliteDataReader r)
    {
        var bytes = (byte[])r[1];
        var header = BlockHeader.Parse(bytes).ValueOrThrow();
        return new StoredBlock(header, bytes, (byte[])r[2], (byte[])r[3], r.GetInt64(4), StoredInt32(r, 5));
    }

    private static StoredTransaction ReadTx(SqliteDataReader r)
        => new(r.GetInt64(0), r.GetInt64(1), StoredInt32(r, 2), (byte[])r[3], r.GetString(4), (byte[])r[5], r.GetString(6));

    /// <summary>
    /// A block's tx_count or a transaction's idx. A damaged store can hold any 64-bit value there, and GetInt32 would
    /// throw OverflowException out of verification instead of letting it name the bad height; so a value outside
    /// [0, int.MaxValue] reads as -1, which no block or transaction row can hold and every check rejects.
    /// </summary>
    private static int StoredInt32(SqliteDataReader r, int ordinal)
    {
        var value = r.GetInt64(ordinal);
        return value is >= 0 and <= int.MaxValue ? (int)value : -1;
    }

    private static Jwk ParseJwk(string json)
        => Jwk.TryParse(JsonNode.Parse(json), out var jwk, out var error) ? jwk! : throw new InvalidDataException("stored key is damaged: " + error);

    private void LoadIdIndex()
    {
        using var cmd = Command(_writer, "SELECT seq, id FROM txs");
        using var r = cmd.ExecuteReader();
        while (r.Read()) _ids.Add((byte[])r[1], r.GetInt64(0));
        using var records = Command(_writer, "SELECT facility, record_id, mpi, seq FROM records ORDER BY seq");
        using var rr = records.ExecuteReader();
        while (rr.Read())
        {
            _recordKeys.Add(rr.GetString(0), rr.GetString(1));
            _recordsByMpi.Add(rr.GetString(2), rr.GetInt64(3));
        }
    }

    private SqliteConnection OpenRead()
    {
        var conn = new SqliteConnection(_readConnectionString);
        conn.Open();
        return conn;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = Command(_writer, sql);
        foreach (var p in parameters) cmd.Parameters.Add(new SqliteParameter(p, null));
        cmd.Prepare();
        return cmd;
    }

    private static SqliteCommand Command(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    private void Exec(string sql)
    {
        using var c = Command(_writer, sql);
        c.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insertTx?.Dispose();
        _insertRecord?.Dispose();
        _findRecord?.Dispose();
        _lookup?.Dispose();
        _writer.Dispose();
    }

    /// <summary>
    /// 64-bit hashes of the (facility, record id) keys of committed records: a miss means the record is certainly not
    /// in the store; a hit (or a hash collision) is checked against SQLite. Per-process randomized string hashes are
    /// fine because the filter is rebuilt at every open.
    /// </summary>
    private sealed class RecordKeyFilter
    {
        private readonly HashSet<long> _keys = [];
        private readonly Lock _lock = new();

        private static long Key(string facility, string record)
            => (long)((ulong)(uint)HashCode.Combine(facility, record) << 32 | (uint)HashCode.Combine(record.Length, record, facility));

        public void Add(string facility, string record)
        {
            var key = Key(facility, record);
            lock (_lock) _keys.Add(key);
        }

        public bool MightContain(string facility, string record)
        {
            var key = Key(facility, record);
            lock (_lock) return _keys.Contains(key);
        }

        public void Clear()
        {
            lock (_lock) _keys.Clear();
        }
    }

    /// <summary>MPI number → seqs of that patient's committed records, ascending (records are added in ledger order).</summary>
    private sealed class PatientRecordIndex
    {
        private readonly Dictionary<string, List<long>> _seqs = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public void Add(string mpi, long seq)
        {
            lock (_lock)
            {
                if (!_seqs.TryGetValue(mpi, out var list)) _seqs[mpi] = list = [];
                list.Add(seq);
            }
        }

        public long[] Of(string mpi)
        {
            lock (_lock) return _seqs.TryGetValue(mpi, out var list) ? [.. list] : [];
        }

        public void Clear()
        {
            lock (_lock) _seqs.Clear();
        }
    }

    /// <summary>Transaction id → seq, keyed by the first 8 bytes; collisions keep every candidate and are resolved against the row.</summary>
    private sealed class TxIdIndex
    {
        // Lock-free reads: every submission asks (a miss, normally) while the commit thread adds a block's ids.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, long> _first = new();
        private readonly Dictionary<long, List<long>> _more = [];
        private readonly Lock _lock = new();

        public void Add(ReadOnlySpan<byte> id, long seq)
        {
            var key = BinaryPrimitives.ReadInt64LittleEndian(id);
            if (_first.TryAdd(key, seq)) return;
            lock (_lock)
            {
                if (!_more.TryGetValue(key, out var list)) _more[key] = list = [];
                list.Add(seq);
            }
        }

        public IReadOnlyList<long> Candidates(ReadOnlySpan<byte> id)
        {
            var key = BinaryPrimitives.ReadInt64LittleEndian(id);
            if (!_first.TryGetValue(key, out var seq)) return [];
            lock (_lock)
                return _more.TryGetValue(key, out var list) ? [seq, .. list] : [seq];
        }
    }
}
