namespace HealthPortal.Ledger.Storage;

/// <summary>
/// The node's SQLite layout. Blocks and transactions are the source of truth; every other table is derived state
/// that replay must reproduce exactly. Transaction ids are looked up through an in-memory index (a UNIQUE index on
/// random 32-byte ids slows inserts as the table grows), so <c>txs</c> only appends by rowid. For the same reason a
/// patient's records are found through an in-memory MPI → seqs index rather than an SQLite index on <c>mpi</c>:
/// at a million records, such an index made every anchor dirty one 4 KB page written to the WAL at commit
/// (measured: 21 µs of commit CPU per anchor with it, 9 µs without). Stores made with that index lose it on open.
/// </summary>
internal static class Schema
{
    public const int Version = 1;

    /// <summary>How <c>meta.schema</c> holds the version: 4 bytes, little-endian (what every store so far was written with).</summary>
    public static byte[] VersionBytes()
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, Version);
        return bytes;
    }

    /// <summary>
    /// Refuses a store written with another layout before anything (a pragma, <see cref="Create"/>) touches it:
    /// reading or extending it with this build's statements would misread or damage it. A store with no
    /// <c>meta</c> table or no genesis yet is new and gets this version when genesis is written.
    /// </summary>
    /// <exception cref="LedgerSchemaException">the store names another version, or none although it holds a chain.</exception>
    public static void Check(Microsoft.Data.Sqlite.SqliteConnection connection, string path)
    {
        using (var exists = Sql.Command(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"))
            if (exists.ExecuteScalar() is null) return;
        using var cmd = Sql.Command(connection, "SELECT key, value FROM meta WHERE key IN ('genesis', 'schema')");
        using var r = cmd.ExecuteReader();
        byte[]? stored = null;
        var hasGenesis = false;
        while (r.Read())
        {
            if (r.GetString(0) == "genesis") hasGenesis = true;
            else stored = r.GetValue(1) as byte[] ?? [];
        }
        if (stored is null)
        {
            if (hasGenesis) throw new LedgerSchemaException(path, null, Version);
            return;
        }
        int? found = stored.Length == 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(stored) : null;
        if (found != Version) throw new LedgerSchemaException(path, found, Version);
    }

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS blocks(
            height INTEGER PRIMARY KEY, header BLOB NOT NULL, signature BLOB NOT NULL, hash BLOB NOT NULL,
            tx_first INTEGER NOT NULL, tx_count INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS txs(
            seq INTEGER PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL, id BLOB NOT NULL,
            type TEXT NOT NULL, body BLOB NOT NULL, signatures TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS nodes(
            id TEXT PRIMARY KEY, jwk TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, endpoint TEXT NOT NULL,
            status TEXT NOT NULL, registered_height INTEGER NOT NULL, register_tx TEXT NOT NULL, pow_bits INTEGER NOT NULL,
            decided_height INTEGER, decided_by TEXT, reason TEXT, height INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS patients(
            mpi TEXT PRIMARY KEY, demographics TEXT NOT NULL, registered_height INTEGER NOT NULL, register_tx TEXT NOT NULL,
            height INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS patient_keys(
            kid TEXT PRIMARY KEY, mpi TEXT NOT NULL, jwk TEXT NOT NULL, added_height INTEGER NOT NULL,
            revoked_height INTEGER, height INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS grants(
            id TEXT PRIMARY KEY, mpi TEXT NOT NULL, facility TEXT NOT NULL, categories TEXT NOT NULL, purpose TEXT NOT NULL,
            not_before INTEGER NOT NULL, expires_at INTEGER NOT NULL, issued_height INTEGER NOT NULL, issued_at INTEGER NOT NULL,
            revoked_height INTEGER, revoked_at INTEGER, height INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS grants_mpi ON grants(mpi);
        CREATE TABLE IF NOT EXISTS records(
            seq INTEGER PRIMARY KEY, facility TEXT NOT NULL, record_id TEXT NOT NULL, mpi TEXT NOT NULL, category TEXT NOT NULL,
            date TEXT NOT NULL, hash TEXT NOT NULL, link TEXT NOT NULL, tx_id TEXT NOT NULL, height INTEGER NOT NULL,
            idx INTEGER NOT NULL, ts INTEGER NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS records_key ON records(facility, record_id);
        DROP INDEX IF EXISTS records_mpi;
        CREATE TABLE IF NOT EXISTS access_log(
            seq INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, facility TEXT NOT NULL, staff TEXT NOT NULL, mpi TEXT NOT NULL,
            records TEXT NOT NULL, grant_id TEXT, break_glass TEXT, purpose TEXT NOT NULL, ts INTEGER NOT NULL,
            height INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS access_mpi ON access_log(mpi);
        CREATE TABLE IF NOT EXISTS admins(
            id TEXT PRIMARY KEY, jwk TEXT NOT NULL, added_height INTEGER NOT NULL, added_tx TEXT NOT NULL, added_by TEXT NOT NULL,
            revoked_height INTEGER, revoked_by TEXT, height INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS supersessions(
            seq INTEGER PRIMARY KEY, facility TEXT NOT NULL, record_id TEXT NOT NULL, superseded TEXT NOT NULL,
            mpi TEXT NOT NULL, tx_id TEXT NOT NULL, height INTEGER NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS supersessions_old ON supersessions(facility, superseded);
        CREATE UNIQUE INDEX IF NOT EXISTS supersessions_new ON supersessions(facility, record_id);
        CREATE INDEX IF NOT EXISTS supersessions_mpi ON supersessions(mpi);
        CREATE TABLE IF NOT EXISTS delegations(
            id TEXT PRIMARY KEY, mpi TEXT NOT NULL, delegate TEXT NOT NULL, kind TEXT NOT NULL, powers TEXT NOT NULL,
            valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL, facility TEXT, issued_height INTEGER NOT NULL,
            issued_at INTEGER NOT NULL, revoked_height INTEGER, revoked_at INTEGER, revoked_by TEXT, height INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS delegated_acts(
            seq INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, delegation TEXT NOT NULL, mpi TEXT NOT NULL, delegate TEXT NOT NULL,
            signer TEXT NOT NULL, type TEXT NOT NULL, power TEXT NOT NULL, ts INTEGER NOT NULL, height INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS delegated_acts_mpi ON delegated_acts(mpi);
        CREATE TABLE IF NOT EXISTS retractions(
            seq INTEGER PRIMARY KEY, facility TEXT NOT NULL, record_id TEXT NOT NULL, mpi TEXT NOT NULL, reason TEXT NOT NULL,
            tx_id TEXT NOT NULL, ts INTEGER NOT NULL, height INTEGER NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS retractions_record ON retractions(facility, record_id);
        CREATE INDEX IF NOT EXISTS retractions_mpi ON retractions(mpi);
        CREATE TABLE IF NOT EXISTS merges(
            id TEXT PRIMARY KEY, retired TEXT NOT NULL, surviving TEXT NOT NULL, facility TEXT NOT NULL, reason TEXT NOT NULL,
            keys_carried INTEGER NOT NULL, merged_height INTEGER NOT NULL, merged_at INTEGER NOT NULL, split_height INTEGER,
            split_at INTEGER, split_reason TEXT, split_tx TEXT, height INTEGER NOT NULL);
        """;

    /// <summary>Derived-state tables, in the order replay comparison reports them.</summary>
    /// <remarks>
    /// <c>admins</c> holds only the admins that transactions changed (<c>admin.add</c>, <c>admin.revoke</c>); genesis
    /// admins come from the genesis document on load. So a store written before the table existed (it has no admin
    /// transactions) gets an empty table from <see cref="Create"/>, which is exactly what replay produces: the layout
    /// only grew by a table, and <see cref="Version"/> stays 1. <c>supersessions</c> (record corrections, one row per
    /// <c>record.anchor</c> with <c>supersedes</c>) grew the same way: an older store has no such anchor, so its empty
    /// table is what replay produces. Its indexes cost nothing to ordinary anchors, which write no row there.
    /// <c>delegations</c> and <c>delegated_acts</c> (docs/delegation.md) grew the same way: an older chain has no
    /// delegation transaction, so their empty tables are what replay produces. <c>retractions</c> (<c>record.retract</c>)
    /// grew the same way, and so did <c>merges</c> (<c>patient.merge</c>, <c>patient.split</c>; docs/mpi.md).
    /// </remarks>
    public static readonly string[] StateTables = ["nodes", "patients", "patient_keys", "grants", "records", "access_log", "admins", "supersessions", "delegations", "delegated_acts", "retractions", "merges"];
}
