using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>Small helpers shared by the store's writer and reader.</summary>
internal static class Sql
{
    public static SqliteCommand Command(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    public static void Exec(SqliteConnection conn, string sql)
    {
        using var c = Command(conn, sql);
        c.ExecuteNonQuery();
    }
}
