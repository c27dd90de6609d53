using HealthPortal.Ledger.Storage;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Tests.Support;

/// <summary>
/// Raw access to a closed ledger file, for tests that copy and damage stores on purpose: unpooled connections so
/// nothing keeps the file open, and writes either as SQL through <see cref="SqliteBlockStore.ExecuteRaw"/> or as
/// read-modify-write of single values.
/// </summary>
public static class StoreFile
{
    /// <summary>Copies a closed store (and its WAL, if one is left) to a fresh file in <paramref name="folder"/>.</summary>
    public static string CopyTo(string source, string folder)
    {
        var target = Path.Combine(folder, $"copy-{Guid.NewGuid():N}.db");
        File.Copy(source, target);
        foreach (var suffix in new[] { "-wal", "-shm" })
            if (File.Exists(source + suffix)) File.Copy(source + suffix, target + suffix);
        return target;
    }

    public static void Delete(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(path + suffix); } catch (IOException) { }
    }

    public static SqliteConnection Open(string path, bool readOnly = false)
    {
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path, Pooling = false, Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
        }.ToString());
        conn.Open();
        return conn;
    }

    /// <summary>Runs SQL through the store's own raw-write door (as an operator or an attacker with file access would).</summary>
    public static int ExecuteRaw(string path, string sql)
    {
        int changed;
        using (var store = SqliteBlockStore.Open(path)) changed = store.ExecuteRaw(sql);
        SqliteConnection.ClearAllPools();
        return changed;
    }

    public static object? Scalar(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var conn = Open(path, readOnly: true);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd.ExecuteScalar();
    }

    public static long Long(string path, string sql, params (string Name, object Value)[] parameters)
        => Convert.ToInt64(Scalar(path, sql, parameters), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Replaces one value of the row <paramref name="rowid"/> (bytes stay bytes, text stays text).</summary>
    public static void Write(string path, string table, string column, long rowid, object? value)
    {
        using var conn = Open(path);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"UPDATE {table} SET {column} = $v WHERE rowid = $r";
        cmd.Parameters.AddWithValue("$v", value ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$r", rowid);
        if (cmd.ExecuteNonQuery() != 1) throw new InvalidOperationException($"no row {rowid} in {table}");
    }

    /// <summary>Inserts a copy of row <paramref name="rowid"/> with some columns replaced.</summary>
    public static void InsertCopy(string path, string table, long rowid, IReadOnlyDictionary<string, object> replace)
    {
        using var conn = Open(path);
        var values = new List<(string Column, object Value)>();
        using (var read = conn.CreateCommand())
        {
            read.CommandText = $"SELECT * FROM {table} WHERE rowid = $r";
            read.Parameters.AddWithValue("$r", rowid);
            using var r = read.ExecuteReader();
            if (!r.Read()) throw new InvalidOperationException($"no row {rowid} in {table}");
            for (var i = 0; i < r.FieldCount; i++)
                values.Add((r.GetName(i), replace.TryGetValue(r.GetName(i), out var v) ? v : r.GetValue(i)));
        }
        using var insert = conn.CreateCommand();
        insert.CommandText = $"INSERT INTO {table}({string.Join(", ", values.Select(v => v.Column))}) VALUES ({string.Join(", ", values.Select((_, i) => $"$p{i}"))})";
        for (var i = 0; i < values.Count; i++) insert.Parameters.AddWithValue($"$p{i}", values[i].Value);
        insert.ExecuteNonQuery();
    }
}
