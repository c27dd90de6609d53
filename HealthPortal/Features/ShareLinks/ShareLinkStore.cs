using Microsoft.Data.Sqlite;

namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// The node's share links and their retrievals in their own SQLite file (<c>{data}/share-links.db</c>): nothing here
/// belongs on the ledger (labels and recipients are words, the ciphertext is personal data), and keeping it apart from
/// identity.db needs no migration of the shared schema. One writer at a time (<see cref="_gate"/>): a PIN attempt reads
/// and decrements the attempts left as one step, so two guesses at once cannot both use the last attempt.
/// </summary>
public sealed class ShareLinkStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ShareLinkStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using var db = Open();
        Execute(db, """
            CREATE TABLE IF NOT EXISTS links (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, mpi TEXT NOT NULL, label TEXT NOT NULL,
                created INTEGER NOT NULL, expires INTEGER NOT NULL, pin_hash TEXT NULL, attempts_left INTEGER NOT NULL,
                revoked INTEGER NULL, record_count INTEGER NOT NULL, jwe TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS links_owner ON links(owner);
            CREATE INDEX IF NOT EXISTS links_mpi ON links(mpi);
            CREATE TABLE IF NOT EXISTS retrievals (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, link TEXT NOT NULL, at INTEGER NOT NULL, client TEXT NOT NULL,
                address TEXT NOT NULL, recipient TEXT NOT NULL, outcome INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS retrievals_link ON retrievals(link);
            """);
        // Links made by a delegate for the patient (issue 14) came later: a store from before gains the columns, its links
        // being the patients' own.
        foreach (var column in new[] { "made_by", "revoked_by" })
            if (!HasColumn(db, "links", column)) Execute(db, $"ALTER TABLE links ADD COLUMN {column} TEXT NULL");
    }

    public async Task AddAsync(ShareLink link, string jwe)
    {
        await _gate.WaitAsync();
        try
        {
            await using var db = Open();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO links (id, owner, mpi, label, created, expires, pin_hash, attempts_left, revoked, record_count, jwe, made_by)
                VALUES ($id, $owner, $mpi, $label, $created, $expires, $pin, $attempts, NULL, $count, $jwe, $madeBy)
                """;
            cmd.Parameters.AddWithValue("$id", link.Id);
            cmd.Parameters.AddWithValue("$owner", link.OwnerUserId);
            cmd.Parameters.AddWithValue("$mpi", link.Mpi);
            cmd.Parameters.AddWithValue("$label", link.Label);
            cmd.Parameters.AddWithValue("$created", link.CreatedAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$expires", link.ExpiresAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$pin", (object?)link.PinHash ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$attempts", link.AttemptsLeft);
            cmd.Parameters.AddWithValue("$count", link.RecordCount);
            cmd.Parameters.AddWithValue("$jwe", jwe);
            cmd.Parameters.AddWithValue("$madeBy", (object?)link.MadeBy ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync();
        }
        finally { _gate.Release(); }
    }

    public async Task<ShareLink?> FindAsync(string id)
    {
        await using var db = Open();
        return (await QueryLinksAsync(db, "WHERE id = $p", id)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<ShareLink>> OfMpiAsync(string mpi)
    {
        await using var db = Open();
        return await QueryLinksAsync(db, "WHERE mpi = $p ORDER BY created DESC", mpi);
    }

    /// <summary>
    /// Marks the link revoked (the first revocation's time and revoker stay); false when it does not carry
    /// <paramref name="mpi"/>'s records. <paramref name="byDelegate"/> is the delegate's MPI number, null for the patient.
    /// </summary>
    public async Task<bool> RevokeAsync(string id, string mpi, DateTimeOffset at, string? byDelegate = null)
    {
        await _gate.WaitAsync();
        try
        {
            await using var db = Open();
            await using var cmd = db.CreateCommand();
            cmd.CommandText = """
                UPDATE links SET revoked_by = CASE WHEN revoked IS NULL THEN $by ELSE revoked_by END, revoked = COALESCE(revoked, $at)
                WHERE id = $id AND mpi = $mpi
                """;
            cmd.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$by", (object?)byDelegate ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$mpi", mpi);
            return await cmd.ExecuteNonQueryAsync() == 1;
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// Runs <paramref name="decide"/> on the link as it is now and applies its verdict in the same step: the new attempts
    /// left, whether to hand out the ciphertext, and the retrieval to record. Returns the ciphertext when served.
    /// </summary>
    public async Task<(ShareLink? Link, string? Jwe)> AttemptAsync(string id, Func<ShareLink, AttemptVerdict> decide)
    {
        await _gate.WaitAsync();
        try
        {
            await using var db = Open();
            var link = (await QueryLinksAsync(db, "WHERE id = $p", id)).SingleOrDefault();
            if (link is null) return (null, null);
            var verdict = decide(link);
            await using var tx = (SqliteTransaction)await db.BeginTransactionAsync();
            if (verdict.AttemptsLeft != link.AttemptsLeft)
            {
                await using var update = db.CreateCommand();
                update.Transaction = tx;
                update.CommandText = "UPDATE links SET attempts_left = $a WHERE id = $id";
                update.Parameters.AddWithValue("$a", verdict.AttemptsLeft);
                update.Parameters.AddWithValue("$id", id);
                await update.ExecuteNonQueryAsync();
            }
            if (verdict.Retrieval is { } r)
            {
                await using var insert = db.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO retrievals (link, at, client, address, recipient, outcome) VALUES ($l, $at, $c, $ad, $r, $o)";
                insert.Parameters.AddWithValue("$l", id);
                insert.Parameters.AddWithValue("$at", r.At.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$c", r.Client);
                insert.Parameters.AddWithValue("$ad", r.Address);
                insert.Parameters.AddWithValue("$r", r.Recipient);
                insert.Parameters.AddWithValue("$o", (int)r.Outcome);
                await insert.ExecuteNonQueryAsync();
            }
            string? jwe = null;
            if (verdict.Serve)
            {
                await using var read = db.CreateCommand();
                read.Transaction = tx;
                read.CommandText = "SELECT jwe FROM links WHERE id = $id";
                read.Parameters.AddWithValue("$id", id);
                jwe = (string?)await read.ExecuteScalarAsync();
            }
            await tx.CommitAsync();
            return (link with { AttemptsLeft = verdict.AttemptsLeft }, jwe);
        }
        finally { _gate.Release(); }
    }

    /// <summary>The retrievals of the given links, newest first.</summary>
    public async Task<IReadOnlyList<ShareLinkRetrieval>> RetrievalsAsync(IReadOnlyCollection<string> linkIds)
    {
        if (linkIds.Count == 0) return [];
        await using var db = Open();
        await using var cmd = db.CreateCommand();
        var names = linkIds.Select((_, i) => "$l" + i).ToList();
        cmd.CommandText = $"SELECT link, at, client, address, recipient, outcome FROM retrievals WHERE link IN ({string.Join(',', names)}) ORDER BY at DESC, seq DESC";
        foreach (var (id, i) in linkIds.Select((id, i) => (id, i))) cmd.Parameters.AddWithValue(names[i], id);
        var list = new List<ShareLinkRetrieval>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            list.Add(new ShareLinkRetrieval(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), (RetrievalOutcome)reader.GetInt32(5)));
        return list;
    }

    /// <summary>The stored ciphertext, for tests that decrypt it independently.</summary>
    public async Task<string?> CiphertextAsync(string id)
    {
        await using var db = Open();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT jwe FROM links WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return (string?)await cmd.ExecuteScalarAsync();
    }

    private SqliteConnection Open()
    {
        var db = new SqliteConnection(_connectionString);
        db.Open();
        return db;
    }

    private static bool HasColumn(SqliteConnection db, string table, string column)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $c";
        cmd.Parameters.AddWithValue("$c", column);
        return (long)cmd.ExecuteScalar()! > 0;
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static async Task<List<ShareLink>> QueryLinksAsync(SqliteConnection db, string where, string parameter)
    {
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, owner, mpi, label, created, expires, pin_hash, attempts_left, revoked, record_count, length(jwe), made_by, revoked_by FROM links " + where;
        cmd.Parameters.AddWithValue("$p", parameter);
        var list = new List<ShareLink>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            list.Add(new ShareLink(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt32(7),
                reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                reader.GetInt32(9), reader.GetInt32(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12)));
        return list;
    }
}

/// <summary>What one manifest request does to a link: the attempts left after it, whether it is served, and what to record.</summary>
public sealed record AttemptVerdict(int AttemptsLeft, bool Serve, ShareLinkRetrieval? Retrieval);
