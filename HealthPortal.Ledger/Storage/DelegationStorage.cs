using System.Text.Json;
using HealthPortal.Ledger.State;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>Writes a block's delegations and delegated acts (tables <c>delegations</c>, <c>delegated_acts</c>).</summary>
internal sealed partial class SqliteBlockWriter
{
    private void WriteDelegations(StateOverlay changes, long txFirst, SqliteTransaction tx)
    {
        foreach (var d in changes.Delegations.Values)
        {
            using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO delegations VALUES ($id, $mpi, $d, $k, $p, $f, $u, $fac, $ih, $ia, $rh, $ra, $rb, $h)", tx);
            c.Parameters.AddWithValue("$id", d.Id); c.Parameters.AddWithValue("$mpi", d.Mpi); c.Parameters.AddWithValue("$d", d.Delegate);
            c.Parameters.AddWithValue("$k", d.Kind); c.Parameters.AddWithValue("$p", JsonSerializer.Serialize(d.Powers));
            c.Parameters.AddWithValue("$f", d.From); c.Parameters.AddWithValue("$u", d.Until);
            c.Parameters.AddWithValue("$fac", (object?)d.Facility ?? DBNull.Value);
            c.Parameters.AddWithValue("$ih", d.IssuedHeight); c.Parameters.AddWithValue("$ia", d.IssuedAt);
            c.Parameters.AddWithValue("$rh", (object?)d.RevokedHeight ?? DBNull.Value); c.Parameters.AddWithValue("$ra", (object?)d.RevokedAt ?? DBNull.Value);
            c.Parameters.AddWithValue("$rb", (object?)d.RevokedBy ?? DBNull.Value); c.Parameters.AddWithValue("$h", d.Height);
            c.ExecuteNonQuery();
        }
        foreach (var a in changes.DelegatedActs)
        {
            using var c = Sql.Command(_writer, "INSERT INTO delegated_acts VALUES ($seq, $tx, $dl, $mpi, $d, $s, $t, $p, $ts, $h)", tx);
            c.Parameters.AddWithValue("$seq", txFirst + a.Index); c.Parameters.AddWithValue("$tx", a.TxId); c.Parameters.AddWithValue("$dl", a.Delegation);
            c.Parameters.AddWithValue("$mpi", a.Mpi); c.Parameters.AddWithValue("$d", a.Delegate); c.Parameters.AddWithValue("$s", a.Signer);
            c.Parameters.AddWithValue("$t", a.Type); c.Parameters.AddWithValue("$p", a.Power); c.Parameters.AddWithValue("$ts", a.Timestamp);
            c.Parameters.AddWithValue("$h", a.Height);
            c.ExecuteNonQuery();
        }
    }
}

/// <summary>Reads delegations into the in-memory state and a patient's delegated acts.</summary>
internal sealed partial class SqliteBlockReader
{
    private static void LoadDelegations(SqliteConnection conn, LedgerState state)
    {
        using var cmd = Sql.Command(conn, "SELECT id, mpi, delegate, kind, powers, valid_from, valid_until, facility, issued_height, issued_at, revoked_height, revoked_at, revoked_by, height FROM delegations ORDER BY issued_height, rowid");
        using var r = cmd.ExecuteReader();
        while (r.Read())
            state.Put(new DelegationEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), JsonSerializer.Deserialize<string[]>(r.GetString(4))!,
                r.GetInt64(5), r.GetInt64(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt64(8), r.GetInt64(9),
                r.IsDBNull(10) ? null : r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt64(11), r.IsDBNull(12) ? null : r.GetString(12), r.GetInt64(13)));
    }

    /// <summary>The transactions delegates signed for <paramref name="mpi"/>, in ledger order.</summary>
    public IReadOnlyList<DelegatedActEntry> DelegatedActsOf(string mpi)
    {
        using var conn = OpenRead();
        using var cmd = Sql.Command(conn, "SELECT tx_id, delegation, mpi, delegate, signer, type, power, ts, height, (SELECT idx FROM txs WHERE txs.seq = delegated_acts.seq) FROM delegated_acts WHERE mpi = $m ORDER BY seq");
        cmd.Parameters.AddWithValue("$m", mpi);
        using var r = cmd.ExecuteReader();
        var list = new List<DelegatedActEntry>();
        while (r.Read())
            list.Add(new DelegatedActEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetString(6), r.GetInt64(7), r.GetInt64(8), r.GetInt32(9)));
        return list;
    }
}
