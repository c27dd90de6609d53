using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// A prepared INSERT on the writer connection's native handle, for the per-transaction rows of a block. Binding
/// spans directly (SQLite copies them) avoids what <see cref="SqliteCommand"/> costs per row — a data reader, a
/// boxed value and a UTF-8 array per parameter — which was most of the commit thread's CPU. It runs inside the
/// connection's current SQLite transaction like any command; errors surface as <see cref="SqliteException"/>.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _stmt));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));

    public void Bind(int index, ReadOnlySpan<byte> blob) => Check(raw.sqlite3_bind_blob(_stmt, index, blob));

    /// <summary>Binds text as UTF-16; SQLite stores it in the database's UTF-8, exactly as a bound string would be.</summary>
    public void Bind(int index, string text) => Check(raw.sqlite3_bind_text16(_stmt, index, text.AsSpan()));

    /// <summary>Runs the statement once with the values bound so far, then resets it for the next row.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _stmt.Dispose();
}
