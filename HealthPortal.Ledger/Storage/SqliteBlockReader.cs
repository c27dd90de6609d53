using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// Every read of the store. Reads from any thread open their own pooled connection (WAL readers never wait for the
/// writer and see what had committed when they began); the head, genesis and count are read on the writer's
/// connection, as the start-up check needs the view the writer will extend. Committed ids and record keys are
/// answered from the in-memory <see cref="StoreIndexes"/> first.
/// </summary>
internal sealed partial class SqliteBlockReader(SqliteConnection writer, string readConnectionString, StoreIndexes indexes) : IDisposable
{
    private readonly SqliteConnection _writer = writer;
    private readonly string _readConnectionString = readConnectionString;
    private readonly Lock _lookupLock = new();
    private SqliteConnection? _lookup;
    private SqliteCommand? _findRecord;

    public Genesis? ReadGenesis()
    {
        using var cmd = Sql.Command(_writer, "SELECT value FROM meta WHERE key = 'genesis'");
        return cmd.ExecuteScalar() is byte[] bytes ? Genesis.FromJson(JsonNode.Parse(bytes)).ValueOrThrow() : null;
    }

    public StoredBlock? Head()
    {
        using var cmd = Sql.Command(_writer, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks ORDER BY height DESC LIMIT 1");
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadBlock(r) : null;
    }

    /// <summary>The last block row exactly as stored, its header not yet parsed: what the start-up check reads.</summary>
    public (long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)? ReadRawHead()
    {
        using var cmd = Sql.Command(_writer, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks ORDER BY height DESC LIMIT 1");
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), (byte[])r[1], (byte[])r[2], (byte[])r[3], r.GetInt64(4), StoredInt32(r, 5)) : null;
    }

    public long TransactionCount
    {
        get
        {
            using var cmd = Sql.Command(_writer, "SELECT COUNT(*) FROM txs");
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>True when a transaction with this id is stored (the ledger refuses a repeated id).</summary>
    public bool ContainsTransaction(ReadOnlySpan<byte> id) => FindSeq(id) is not null;

    public long? FindSeq(ReadOnlySpan<byte> id)
    {
        foreach (var seq in indexes.Ids.Candidates(id))
        {
            var stored = ReadTransaction(seq);
            if (stored is not null && stored.Id.AsSpan().SequenceEqual(id)) return seq;
        }
        return null;
    }

    public StoredTransaction? ReadTransaction(long seq)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT seq, height, idx, id, type, body, signatures FROM txs WHERE seq = $s");
        cmd.Parameters.AddWithValue("$s", seq);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadTx(r) : null;
    }

    public IReadOnlyList<StoredTransaction> ReadTransactions(long firstSeq, int count)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT seq, height, idx, id, type, body, signatures FROM txs WHERE seq >= $a AND seq < $b ORDER BY seq");
        cmd.Parameters.AddWithValue("$a", firstSeq); cmd.Parameters.AddWithValue("$b", firstSeq + count);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredTransaction>(count);
        while (r.Read()) list.Add(ReadTx(r));
        return list;
    }

    public StoredBlock? ReadBlock(long height)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks WHERE height = $h");
        cmd.Parameters.AddWithValue("$h", height);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadBlock(r) : null;
    }

    /// <summary>Raw block rows in height order, for verification (headers are parsed, not trusted).</summary>
    public IEnumerable<(long Height, byte[] Header, byte[] Signature, byte[] Hash, long TxFirst, int TxCount)> ReadRawBlocks()
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT height, header, signature, hash, tx_first, tx_count FROM blocks ORDER BY height");
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return (r.GetInt64(0), (byte[])r[1], (byte[])r[2], (byte[])r[3], r.GetInt64(4), StoredInt32(r, 5));
    }

    public IReadOnlyList<StoredBlock> ReadBlocks(long fromHeight, int count, bool descending = false)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, descending
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
        if (!indexes.RecordKeys.MightContain(facility, recordId)) return null;
        lock (_lookupLock)
        {
            if (_findRecord is null)
            {
                _lookup = new SqliteConnection(_readConnectionString);
                _lookup.Open();
                _findRecord = Sql.Command(_lookup, "SELECT * FROM records WHERE facility = $f AND record_id = $r");
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
        using var cmd = Sql.Command(conn, "SELECT * FROM records WHERE facility = $f AND record_id = $r");
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
        var seqs = indexes.RecordsByMpi.Of(mpi);
        if (seqs.Length == 0) return [];
        using var conn = OpenRead();
        using var read = conn.BeginTransaction(deferred: true); // one snapshot for all rows
        using var cmd = Sql.Command(conn, "SELECT * FROM records WHERE seq = $s", read);
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

    /// <summary>The supersession that replaced <paramref name="recordId"/> (its newer version), or null. Any thread.</summary>
    public SupersessionEntry? FindSupersession(string facility, string recordId)
        => QuerySupersessions("WHERE facility = $f AND superseded = $r", ("$f", facility), ("$r", recordId)).FirstOrDefault();

    /// <summary>The supersession that made <paramref name="recordId"/> (naming the version it replaced), or null. Any thread.</summary>
    public SupersessionEntry? SupersessionMaking(string facility, string recordId)
        => QuerySupersessions("WHERE facility = $f AND record_id = $r", ("$f", facility), ("$r", recordId)).FirstOrDefault();

    /// <summary>Every supersession among a patient's records, in ledger order.</summary>
    public IReadOnlyList<SupersessionEntry> SupersessionsOf(string mpi)
        => QuerySupersessions("WHERE mpi = $m ORDER BY seq", ("$m", mpi));

    private List<SupersessionEntry> QuerySupersessions(string where, params (string Name, object Value)[] parameters)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT facility, record_id, superseded, mpi, tx_id, height, (SELECT idx FROM txs WHERE txs.seq = supersessions.seq) FROM supersessions " + where);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var r = cmd.ExecuteReader();
        var list = new List<SupersessionEntry>();
        while (r.Read())
            list.Add(new SupersessionEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.IsDBNull(6) ? -1 : StoredInt32(r, 6)));
        return list;
    }

    /// <summary>The retraction of a record, or null. Any thread.</summary>
    public RetractionEntry? FindRetraction(string facility, string recordId)
        => QueryRetractions("WHERE facility = $f AND record_id = $r", ("$f", facility), ("$r", recordId)).FirstOrDefault();

    /// <summary>Every retraction among a patient's records, in ledger order.</summary>
    public IReadOnlyList<RetractionEntry> RetractionsOf(string mpi)
        => QueryRetractions("WHERE mpi = $m ORDER BY seq", ("$m", mpi));

    private List<RetractionEntry> QueryRetractions(string where, params (string Name, object Value)[] parameters)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT facility, record_id, mpi, reason, tx_id, height, (SELECT idx FROM txs WHERE txs.seq = retractions.seq), ts FROM retractions " + where);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var r = cmd.ExecuteReader();
        var list = new List<RetractionEntry>();
        while (r.Read())
            list.Add(new RetractionEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
                r.IsDBNull(6) ? -1 : StoredInt32(r, 6), r.GetInt64(7)));
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
        using var cmd = Sql.Command(conn, "SELECT tx_id, facility, staff, mpi, records, grant_id, break_glass, purpose, ts, height, (SELECT idx FROM txs WHERE txs.seq = access_log.seq) FROM access_log " + where);
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
        using (var cmd = Sql.Command(conn, "SELECT mpi, demographics, registered_height, register_tx, height FROM patients"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) state.Put(new PatientEntry(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4)));
        using (var cmd = Sql.Command(conn, "SELECT kid, mpi, jwk, added_height, revoked_height, height FROM patient_keys ORDER BY added_height, rowid"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                state.Put(new KeyEntry(r.GetString(0), ParseDeviceKey(r.GetString(0), r.GetString(2)), r.GetString(1), r.GetInt64(3),
                    r.IsDBNull(4) ? null : r.GetInt64(4), r.GetInt64(5)));
        using (var cmd = Sql.Command(conn, "SELECT id, mpi, facility, categories, purpose, not_before, expires_at, issued_height, issued_at, revoked_height, revoked_at, height FROM grants ORDER BY issued_height, rowid"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                state.Put(new GrantEntry(r.GetString(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<string[]>(r.GetString(3))!,
                    r.GetString(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8),
                    r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : r.GetInt64(10), r.GetInt64(11)));
        // Rows override the genesis admins the state starts with (a revoked genesis admin has a row).
        using (var cmd = Sql.Command(conn, "SELECT id, jwk, added_height, added_tx, added_by, revoked_height, revoked_by, height FROM admins"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                state.Put(new AdminEntry(r.GetString(0), ParseDeviceKey(r.GetString(0), r.GetString(1)), r.GetInt64(2), r.GetString(3), r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt64(7)));
        LoadDelegations(conn, state);
        LoadMerges(conn, state);
        return state;
    }

    private IEnumerable<NodeEntry> ReadNodes()
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT id, jwk, kind, name, endpoint, status, registered_height, register_tx, pow_bits, decided_height, decided_by, reason, height FROM nodes");
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
        using var cmd = Sql.Command(conn, $"SELECT * FROM {table} ORDER BY 1");
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
    public IEnumerable<(string Key, long Height, string Row)> StreamTable(string table)
    {
        if (Array.IndexOf(Schema.StateTables, table) < 0) throw new ArgumentException($"not a state table: {table}", nameof(table));
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, $"SELECT * FROM {table} ORDER BY 1");
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

    private IReadOnlyList<RecordEntry> QueryRecords(string sql, string value)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, sql);
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

    /// <summary>A device key's stored form: a JWK, or <c>{"wallet":…}</c> naming the kid itself (null: no JWK).</summary>
    private static Jwk? ParseDeviceKey(string kid, string json)
    {
        if (JsonNode.Parse(json) is JsonObject { Count: 1 } o && o["wallet"] is JsonValue w && w.TryGetValue<string>(out var wallet))
            return wallet == kid && Crypto.Wallet.EthereumAddress.IsCanonical(wallet)
                ? null
                : throw new InvalidDataException($"stored wallet key {kid} is damaged");
        return ParseJwk(json);
    }

    private static Jwk ParseJwk(string json)
        => Jwk.TryParse(JsonNode.Parse(json), out var jwk, out var error) ? jwk! : throw new InvalidDataException("stored key is damaged: " + error);

    private SqliteConnection OpenRead()
    {
        var conn = new SqliteConnection(_readConnectionString);
        conn.Open();
        return conn;
    }

    public void Dispose()
    {
        _findRecord?.Dispose();
        _lookup?.Dispose();
    }
}
