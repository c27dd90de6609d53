using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Tests.Ledger.Verification;

/// <summary>
/// Every table and every column of <c>ledger.db</c>, discovered from the schema (sqlite_master, pragma table_info), not
/// listed by hand: change a value, delete a row, insert a row — full verification must fail and name the first bad
/// height. One small sample chain is built once; each case edits its own copy, so the whole set takes seconds.
/// </summary>
public sealed class GenericTamperTests : IClassFixture<GenericTamperTests.Chain>
{
    private readonly Chain _chain;

    public GenericTamperTests(Chain chain) => _chain = chain;

    /// <summary>The sample chain, closed, in a file every case copies.</summary>
    public sealed class Chain : IAsyncLifetime
    {
        private LedgerKit? _kit;
        /// <summary>A single-file copy (no WAL beside it), so a plain file copy carries the whole chain.</summary>
        public string Path => System.IO.Path.Combine(_kit!.Folder, "template.db");
        public long Head { get; private set; }

        public async Task InitializeAsync()
        {
            _kit = new LedgerKit();
            await SampleChain.Build(_kit);
            Head = _kit.Engine.Height;
            await _kit.Close();
            using (var db = StoreFile.Open(_kit.Options.DatabasePath))
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = $"VACUUM INTO '{Path}'";
                cmd.ExecuteNonQuery();
            }
            SqliteConnection.ClearAllPools();
            Assert.True(ChainVerifier.VerifyFull(Path).IsValid);
        }

        public async Task DisposeAsync() => await _kit!.DisposeAsync();
    }

    public static IEnumerable<object[]> Cases()
    {
        // The schema comes from a fresh store, so a table or column added later is covered without editing this test.
        var folder = Directory.CreateTempSubdirectory("hp-schema-").FullName;
        try
        {
            var path = System.IO.Path.Combine(folder, "ledger.db");
            using (HealthPortal.Ledger.Storage.SqliteBlockStore.Open(path)) { }
            using var db = StoreFile.Open(path, readOnly: true);
            var tables = Strings(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
            Assert.NotEmpty(tables);
            foreach (var table in tables)
            {
                foreach (var column in Strings(db, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))
                    yield return [table, column, "change"];
                yield return [table, "", "delete"];
                yield return [table, "", "insert"];
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static List<string> Strings(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tamper_AnyTableAnyColumn_FailsVerificationAtTheRowsHeight(string table, string column, string edit)
    {
        var folder = Directory.CreateTempSubdirectory("hp-tamper-").FullName;
        try
        {
            var path = System.IO.Path.Combine(folder, "ledger.db");
            File.Copy(_chain.Path, path);
            long? rowHeight;
            using (var db = StoreFile.Open(path))
            {
                var hasHeight = Strings(db, $"SELECT name FROM pragma_table_info('{table}')").Contains("height");
                // A row in the middle of the table: neither the first nor the last is special to the check.
                var rowid = (long)Scalar(db, $"SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET (SELECT count(*) / 2 FROM {table})")!;
                rowHeight = hasHeight ? (long)Scalar(db, $"SELECT height FROM {table} WHERE rowid = {rowid}")! : null;
                switch (edit)
                {
                    case "change":
                        var value = Scalar(db, $"SELECT \"{column}\" FROM {table} WHERE rowid = {rowid}");
                        using (var cmd = db.CreateCommand())
                        {
                            cmd.CommandText = $"UPDATE {table} SET \"{column}\" = $v WHERE rowid = {rowid}";
                            cmd.Parameters.AddWithValue("$v", Changed(value));
                            Assert.Equal(1, cmd.ExecuteNonQuery());
                        }
                        break;
                    case "delete":
                        Exec(db, $"DELETE FROM {table} WHERE rowid = {rowid}");
                        break;
                    case "insert":
                        // A copy of the row under a new key (the first column is every table's key).
                        var columns = Strings(db, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid");
                        var textColumns = Strings(db, $"SELECT name FROM pragma_table_info('{table}') WHERE type = 'TEXT'");
                        var key = columns[0];
                        var keyValue = Scalar(db, $"SELECT \"{key}\" FROM {table} WHERE rowid = {rowid}");
                        using (var cmd = db.CreateCommand())
                        {
                            var rest = string.Join(", ", columns.Skip(1).Select(c => $"\"{c}\""));
                            // Text columns changed too, so no other unique index (records' facility and record id) refuses the copy.
                            var values = string.Join(", ", columns.Skip(1).Select(c => textColumns.Contains(c) ? $"\"{c}\" || 'x'" : $"\"{c}\""));
                            cmd.CommandText = $"INSERT INTO {table}(\"{key}\", {rest}) SELECT $k, {values} FROM {table} WHERE rowid = {rowid}";
                            cmd.Parameters.AddWithValue("$k", keyValue is long n ? (table == "blocks" ? _chain.Head + 1 : n + 100_000) : Changed(keyValue));
                            Assert.Equal(1, cmd.ExecuteNonQuery());
                        }
                        break;
                }
            }
            SqliteConnection.ClearAllPools();

            var report = ChainVerifier.VerifyFull(path);

            Assert.False(report.IsValid, $"{edit} {table}.{column} passed verification");
            Assert.NotNull(report.FirstBadHeight);
            // A changed or deleted row is reported at its own height (inserted blocks right after the head).
            // An extra transaction row lies outside every block: the count at the head gives it away.
            var expected = edit == "insert" && table == "blocks" ? _chain.Head + 1 : edit == "insert" && table == "txs" ? _chain.Head : rowHeight ?? 0;
            Assert.True(report.FirstBadHeight == expected, $"{edit} {table}.{column}: reported {report.ToLine()}, expected height {expected}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A different value of the same kind (a larger number, so a changed height still names the row's own).</summary>
    private static object Changed(object? value) => value switch
    {
        null or DBNull => 7L,
        long n => n + 1000,
        double d => d + 1000,
        byte[] b => b.Length == 0 ? new byte[] { 1 } : [(byte)(b[0] ^ 0x01), .. b[1..]],
        string s => s.Length == 0 ? "x" : s[..^1] + (s[^1] == 'x' ? 'y' : 'x'),
        _ => throw new InvalidOperationException($"unexpected value type {value.GetType()}"),
    };

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        Assert.Equal(1, cmd.ExecuteNonQuery());
    }
}
