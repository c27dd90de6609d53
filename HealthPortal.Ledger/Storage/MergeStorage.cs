using HealthPortal.Ledger.State;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>Writes a block's merges and splits (table <c>merges</c>: one row per merge, its split filled in place).</summary>
internal sealed partial class SqliteBlockWriter
{
    private void WriteMerges(StateOverlay changes, SqliteTransaction tx)
    {
        foreach (var m in changes.Merges.Values)
        {
            using var c = Sql.Command(_writer, "INSERT OR REPLACE INTO merges VALUES ($id, $r, $s, $f, $reason, $k, $mh, $ma, $sh, $sa, $sr, $st, $h)", tx);
            c.Parameters.AddWithValue("$id", m.Id); c.Parameters.AddWithValue("$r", m.Retired); c.Parameters.AddWithValue("$s", m.Surviving);
            c.Parameters.AddWithValue("$f", m.Facility); c.Parameters.AddWithValue("$reason", m.Reason); c.Parameters.AddWithValue("$k", m.KeysCarried ? 1 : 0);
            c.Parameters.AddWithValue("$mh", m.MergedHeight); c.Parameters.AddWithValue("$ma", m.MergedAt);
            c.Parameters.AddWithValue("$sh", (object?)m.SplitHeight ?? DBNull.Value); c.Parameters.AddWithValue("$sa", (object?)m.SplitAt ?? DBNull.Value);
            c.Parameters.AddWithValue("$sr", (object?)m.SplitReason ?? DBNull.Value); c.Parameters.AddWithValue("$st", (object?)m.SplitTx ?? DBNull.Value);
            c.Parameters.AddWithValue("$h", m.Height);
            c.ExecuteNonQuery();
        }
    }
}

/// <summary>Reads merges into the in-memory state (they are few: a steward's decision each).</summary>
internal sealed partial class SqliteBlockReader
{
    private static void LoadMerges(SqliteConnection conn, LedgerState state)
    {
        using var cmd = Sql.Command(conn, "SELECT id, retired, surviving, facility, reason, keys_carried, merged_height, merged_at, split_height, split_at, split_reason, split_tx, height FROM merges ORDER BY merged_height, rowid");
        using var r = cmd.ExecuteReader();
        while (r.Read())
            state.Put(new MergeEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5) != 0,
                r.GetInt64(6), r.GetInt64(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.IsDBNull(9) ? null : r.GetInt64(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11), r.GetInt64(12)));
    }
}
