using System.Text.Json;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// The store's one writer: a block, its transactions and its derived-state changes go to SQLite in ONE transaction,
/// so after a crash either all of a block is there or none of it. The in-memory indexes learn a block only after it
/// has committed. Calls are serialised by a lock; only the sequencer appends.
/// </summary>
internal sealed partial class SqliteBlockWriter(SqliteConnection connection, StoreIndexes indexes) : IDisposable
{
    private readonly SqliteConnection _writer = connection;
    private readonly Lock _writeLock = new();
    private RawStatement? _insertTx, _insertRecord;

    /// <summary>Stopwatch ticks spent in block commits (WAL write + fsync) so far; written by the one writer.</summary>
    public long CommitTicks { get; private set; }

    /// <summary>Writes the genesis document, the schema version and block 0 in one transaction. Precondition: the store is empty.</summary>
    public void InitializeGenesis(Genesis genesis, StoredBlock block0)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            using (var meta = Sql.Command(_writer, "INSERT INTO meta(key, value) VALUES ('genesis', $g), ('schema', $s)", tx))
            {
                meta.Parameters.AddWithValue("$g", genesis.CanonicalBytes());
                meta.Parameters.AddWithValue("$s", Schema.VersionBytes());
                meta.ExecuteNonQuery();
            }
            InsertBlock(block0, tx);
            foreach (var node in genesis.ApprovedAtGenesis) UpsertNode(NodeEntry.AtGenesis(node), tx);
            tx.Commit();
        }
    }

    /// <summary>
    /// Appends a sealed block, its transactions (numbered from <see cref="StoredBlock.TxFirst"/>) and the block's
    /// state changes in one SQLite transaction. When this returns, the block is durable; if it throws, nothing of the
    /// block was written (the transaction rolls back when disposed uncommitted).
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
                _insertTx.Bind(6, t.CanonicalBody);
                _insertTx.Bind(7, t.StoredSignatures);
                _insertTx.Execute();
            }
            WriteState(changes, block.TxFirst, tx);
            var committing = System.Diagnostics.Stopwatch.GetTimestamp();
            tx.Commit();
            CommitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - committing;
            indexes.AddCommitted(block.TxFirst, transactions, changes);
        }
    }

    private void WriteState(StateOverlay changes, long txFirst, SqliteTransaction tx)
    {
        foreach (var n in changes.Nodes.Values) UpsertNode(n, tx);
        foreach (var p in changes.Patients.Values)
        {
            using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO patients VALUES ($mpi, $d, $rh, $rt, $h)", tx);
            c.Parameters.AddWithValue("$mpi", p.Mpi); c.Parameters.AddWithValue("$d", p.DemographicsHash);
            c.Parameters.AddWithValue("$rh", p.RegisteredHeight); c.Parameters.AddWithValue("$rt", p.RegisterTx);
            c.Parameters.AddWithValue("$h", p.Height);
            c.ExecuteNonQuery();
        }
        foreach (var k in changes.Keys.Values)
        {
            using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO patient_keys VALUES ($kid, $mpi, $jwk, $ah, $rh, $h)", tx);
            c.Parameters.AddWithValue("$kid", k.Kid); c.Parameters.AddWithValue("$mpi", k.Mpi);
            c.Parameters.AddWithValue("$jwk", k.StoredForm()); c.Parameters.AddWithValue("$ah", k.AddedHeight);
            c.Parameters.AddWithValue("$rh", (object?)k.RevokedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$h", k.Height);
            c.ExecuteNonQuery();
        }
        foreach (var g in changes.Grants.Values)
        {
            using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO grants VALUES ($id, $mpi, $f, $c, $p, $nb, $ea, $ih, $ia, $rh, $ra, $h)", tx);
            c.Parameters.AddWithValue("$id", g.Id); c.Parameters.AddWithValue("$mpi", g.Mpi); c.Parameters.AddWithValue("$f", g.Facility);
            c.Parameters.AddWithValue("$c", JsonSerializer.Serialize(g.Categories)); c.Parameters.AddWithValue("$p", g.Purpose);
            c.Parameters.AddWithValue("$nb", g.NotBefore); c.Parameters.AddWithValue("$ea", g.ExpiresAt);
            c.Parameters.AddWithValue("$ih", g.IssuedHeight); c.Parameters.AddWithValue("$ia", g.IssuedAt);
            c.Parameters.AddWithValue("$rh", (object?)g.RevokedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$ra", (object?)g.RevokedAt ?? DBNull.Value);
            c.Parameters.AddWithValue("$h", g.Height);
            c.ExecuteNonQuery();
        }
        foreach (var a in changes.Admins.Values)
        {
            using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO admins VALUES ($id, $jwk, $ah, $at, $ab, $rh, $rb, $h)", tx);
            c.Parameters.AddWithValue("$id", a.Id); c.Parameters.AddWithValue("$jwk", a.StoredForm());
            c.Parameters.AddWithValue("$ah", a.AddedHeight); c.Parameters.AddWithValue("$at", a.AddedTx); c.Parameters.AddWithValue("$ab", a.AddedBy);
            c.Parameters.AddWithValue("$rh", (object?)a.RevokedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$rb", (object?)a.RevokedBy ?? DBNull.Value);
            c.Parameters.AddWithValue("$h", a.Height);
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
        foreach (var v in changes.Supersessions)
        {
            using var c = Sql.Command(_writer, "INSERT INTO supersessions VALUES ($seq, $f, $r, $old, $mpi, $tx, $h)", tx);
            c.Parameters.AddWithValue("$seq", txFirst + v.Index); c.Parameters.AddWithValue("$f", v.Facility); c.Parameters.AddWithValue("$r", v.RecordId);
            c.Parameters.AddWithValue("$old", v.Superseded); c.Parameters.AddWithValue("$mpi", v.Mpi); c.Parameters.AddWithValue("$tx", v.TxId);
            c.Parameters.AddWithValue("$h", v.Height);
            c.ExecuteNonQuery();
        }
        WriteDelegations(changes, txFirst, tx);
        WriteMerges(changes, tx);
        foreach (var v in changes.Retractions)
        {
            using var c = Sql.Command(_writer, "INSERT INTO retractions VALUES ($seq, $f, $r, $mpi, $reason, $tx, $ts, $h)", tx);
            c.Parameters.AddWithValue("$seq", txFirst + v.Index); c.Parameters.AddWithValue("$f", v.Facility); c.Parameters.AddWithValue("$r", v.RecordId);
            c.Parameters.AddWithValue("$mpi", v.Mpi); c.Parameters.AddWithValue("$reason", v.Reason); c.Parameters.AddWithValue("$tx", v.TxId);
            c.Parameters.AddWithValue("$ts", v.Timestamp); c.Parameters.AddWithValue("$h", v.Height);
            c.ExecuteNonQuery();
        }
        foreach (var a in changes.Accesses)
        {
            using var c = Sql.Command(_writer, "INSERT INTO access_log VALUES ($seq, $tx, $f, $s, $mpi, $r, $g, $b, $p, $ts, $h)", tx);
            c.Parameters.AddWithValue("$seq", txFirst + a.Index); c.Parameters.AddWithValue("$tx", a.TxId); c.Parameters.AddWithValue("$f", a.Facility);
            c.Parameters.AddWithValue("$s", a.Staff); c.Parameters.AddWithValue("$mpi", a.Mpi); c.Parameters.AddWithValue("$r", JsonSerializer.Serialize(a.Records));
            c.Parameters.AddWithValue("$g", (object?)a.Grant ?? DBNull.Value); c.Parameters.AddWithValue("$b", (object?)a.BreakGlass ?? DBNull.Value);
            c.Parameters.AddWithValue("$p", a.Purpose); c.Parameters.AddWithValue("$ts", a.Timestamp); c.Parameters.AddWithValue("$h", a.Height);
            c.ExecuteNonQuery();
        }
    }

    private void UpsertNode(NodeEntry n, SqliteTransaction tx)
    {
        using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO nodes VALUES ($id, $jwk, $kind, $name, $ep, $st, $rh, $rt, $pow, $dh, $db, $reason, $h)", tx);
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
        using var c = Sql.Command(_writer, "INSERT INTO blocks(height, header, signature, hash, tx_first, tx_count) VALUES ($h, $hd, $s, $hash, $f, $c)", tx);
        c.Parameters.AddWithValue("$h", block.Header.Height); c.Parameters.AddWithValue("$hd", block.HeaderBytes);
        c.Parameters.AddWithValue("$s", block.Signature); c.Parameters.AddWithValue("$hash", block.Hash);
        c.Parameters.AddWithValue("$f", block.TxFirst); c.Parameters.AddWithValue("$c", block.TxCount);
        c.ExecuteNonQuery();
    }

    /// <summary>Deletes every derived-state row (before a rebuild by replay). Blocks and transactions are untouched.</summary>
    public void ClearState()
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            foreach (var t in Schema.StateTables)
                using (var c = Sql.Command(_writer, $"DELETE FROM {t}", tx)) c.ExecuteNonQuery();
            tx.Commit();
            indexes.ClearState();
        }
    }

    /// <summary>Runs raw SQL on the writer connection. For tests that damage a store on purpose and for operators.</summary>
    public int ExecuteRaw(string sql)
    {
        lock (_writeLock)
        {
            using var c = Sql.Command(_writer, sql);
            return c.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        _insertTx?.Dispose();
        _insertRecord?.Dispose();
    }
}
