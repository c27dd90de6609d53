using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Features.Ehr;

/// <summary>One correction as the facility's store keeps it: <see cref="RecordId"/> replaces <see cref="Supersedes"/>, for a reason, by someone.</summary>
public sealed record EhrVersionLink(string RecordId, string Supersedes, string Reason, string Author, DateTimeOffset WrittenAt);

/// <summary>A patient's request that a facility correct one of its records, kept at the facility (the words never go on the ledger).</summary>
public sealed record EhrCorrectionRequest(
    string Id, string RecordId, string Mpi, string Words, DateTimeOffset AskedAt, CorrectionRequestStatus Status,
    string? Answer, string? AnsweredBy, DateTimeOffset? AnsweredAt, string? CorrectedBy);

public enum CorrectionRequestStatus { Open, Corrected, Declined }

/// <summary>
/// The versions of a facility's records, in the facility's own store: a correction is written as a new save (the old
/// rows stay as they were, so what was anchored can still be served and checked) and linked here to the record it
/// replaces, with the reason and who wrote it. Patients' correction requests live in the same file. These two tables
/// are the same in every format, so they sit beside each format's own tables rather than in its migrations
/// (<see cref="EhrSchemas"/> creates them, like the provisioner's <c>store_info</c>). Nothing here knows the ledger.
/// </summary>
public sealed class EhrVersions(EhrStores stores, EhrStoreProvisioner provisioner, TimeProvider clock)
{
    public const string Tables = """
        CREATE TABLE IF NOT EXISTS record_versions(
            record_id TEXT PRIMARY KEY, supersedes TEXT NOT NULL UNIQUE, reason TEXT NOT NULL, author TEXT NOT NULL, written_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS correction_requests(
            id TEXT PRIMARY KEY, record_id TEXT NOT NULL, mpi TEXT NOT NULL, words TEXT NOT NULL, asked_at INTEGER NOT NULL,
            status TEXT NOT NULL, answer TEXT, answered_by TEXT, answered_at INTEGER, corrected_by TEXT);
        CREATE INDEX IF NOT EXISTS correction_requests_mpi ON correction_requests(mpi);
        """;

    /// <summary>
    /// Links each new record to the one it replaces (<paramref name="pairs"/>: new id → old id), all or none. Refused
    /// when an old record is already replaced (correct the newest version instead) or a new one already replaces one.
    /// </summary>
    public async Task<Result<int, EhrError>> LinkAsync(string facilityId, IReadOnlyList<(string New, string Old)> pairs, string reason, string author, CancellationToken ct = default)
    {
        if (pairs.Count == 0) return 0;
        if (await OpenAsync(facilityId, ct) is not { } conn) return Result.Fail(EhrError.NoStore, $"{facilityId} has no EHR store on this node.");
        await using (conn)
        {
            await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(ct);
            foreach (var (newId, oldId) in pairs)
            {
                await using var check = Command(conn, tx, "SELECT record_id FROM record_versions WHERE supersedes = $old", ("$old", oldId));
                if (await check.ExecuteScalarAsync(ct) is string already)
                    return Result.Fail(EhrError.AlreadyCorrected, $"Record {oldId} was already corrected by {already}; correct that version instead.");
                await using var insert = Command(conn, tx, "INSERT INTO record_versions VALUES ($new, $old, $reason, $author, $at)",
                    ("$new", newId), ("$old", oldId), ("$reason", reason), ("$author", author), ("$at", clock.GetUtcNow().ToUnixTimeMilliseconds()));
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return pairs.Count;
        }
    }

    /// <summary>The correction that made <paramref name="recordId"/>, or null for a first version (or no store).</summary>
    public async Task<EhrVersionLink?> MadeAsync(string facilityId, string recordId, CancellationToken ct = default)
        => (await QueryAsync(facilityId, "WHERE record_id = $r", recordId, ct)).FirstOrDefault();

    /// <summary>The correction that replaced <paramref name="recordId"/>, or null while it is the newest version.</summary>
    public async Task<EhrVersionLink?> ReplacedAsync(string facilityId, string recordId, CancellationToken ct = default)
        => (await QueryAsync(facilityId, "WHERE supersedes = $r", recordId, ct)).FirstOrDefault();

    /// <summary>
    /// The record ids of every version of the record <paramref name="recordId"/> belongs to, oldest first, with the
    /// link that made each (null for the first). One element when it was never corrected.
    /// </summary>
    public async Task<IReadOnlyList<(string RecordId, EhrVersionLink? Made)>> ChainAsync(string facilityId, string recordId, CancellationToken ct = default)
        => Chain(await LinksAsync(facilityId, ct), recordId);

    /// <summary>Every version link of a facility's store (corrections are rare: the whole table is small).</summary>
    public async Task<IReadOnlyList<EhrVersionLink>> LinksAsync(string facilityId, CancellationToken ct = default)
        => await QueryAsync(facilityId, "", null, ct);

    /// <summary><see cref="ChainAsync"/> over links already read (a timeline reads them once per facility).</summary>
    public static IReadOnlyList<(string RecordId, EhrVersionLink? Made)> Chain(IReadOnlyList<EhrVersionLink> links, string recordId)
    {
        if (links.Count == 0) return [(recordId, null)];
        var byNew = links.ToDictionary(l => l.RecordId, StringComparer.Ordinal);
        var byOld = links.ToDictionary(l => l.Supersedes, StringComparer.Ordinal);
        var first = recordId;
        // Each record is replaced at most once (UNIQUE) and replaces at most one (PRIMARY KEY), so the walk ends; the
        // bound guards only a hand-edited file with a loop in it.
        for (var guard = 0; guard < links.Count && byNew.TryGetValue(first, out var made); guard++) first = made.Supersedes;
        var chain = new List<(string, EhrVersionLink?)>();
        for (var id = first; chain.Count <= links.Count;)
        {
            chain.Add((id, byNew.GetValueOrDefault(id)));
            if (!byOld.TryGetValue(id, out var next)) break;
            id = next.RecordId;
        }
        return chain;
    }

    /// <summary>Every record of a patient at this facility that a newer version replaced (old id → new id).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReplacedOfAsync(string facilityId, IEnumerable<string> recordIds, CancellationToken ct = default)
    {
        var wanted = recordIds.ToHashSet(StringComparer.Ordinal);
        return (await QueryAsync(facilityId, "", null, ct)).Where(l => wanted.Contains(l.Supersedes)).ToDictionary(l => l.Supersedes, l => l.RecordId, StringComparer.Ordinal);
    }

    // ---- correction requests ----------------------------------------------------------------------------------

    public async Task<Result<EhrCorrectionRequest, EhrError>> AddRequestAsync(string facilityId, string recordId, string mpi, string words, CancellationToken ct = default)
    {
        if (await OpenAsync(facilityId, ct) is not { } conn) return Result.Fail(EhrError.NoStore, $"{facilityId} has no EHR store on this node.");
        await using (conn)
        {
            var request = new EhrCorrectionRequest(EhrIds.New("corr"), recordId, mpi, words, clock.GetUtcNow(), CorrectionRequestStatus.Open, null, null, null, null);
            await using var insert = Command(conn, null, "INSERT INTO correction_requests(id, record_id, mpi, words, asked_at, status) VALUES ($id, $r, $m, $w, $at, 'Open')",
                ("$id", request.Id), ("$r", recordId), ("$m", mpi), ("$w", words), ("$at", request.AskedAt.ToUnixTimeMilliseconds()));
            await insert.ExecuteNonQueryAsync(ct);
            return request;
        }
    }

    /// <summary>Requests at this facility, newest first: of one patient, or (null) of every patient.</summary>
    public async Task<IReadOnlyList<EhrCorrectionRequest>> RequestsAsync(string facilityId, string? mpi, CancellationToken ct = default)
    {
        if (await OpenAsync(facilityId, ct) is not { } conn) return [];
        await using (conn)
        {
            await using var cmd = Command(conn, null,
                "SELECT id, record_id, mpi, words, asked_at, status, answer, answered_by, answered_at, corrected_by FROM correction_requests "
                + (mpi is null ? "" : "WHERE mpi = $m ") + "ORDER BY asked_at DESC", ("$m", mpi ?? ""));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var list = new List<EhrCorrectionRequest>();
            while (await r.ReadAsync(ct))
                list.Add(new EhrCorrectionRequest(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                    Enum.Parse<CorrectionRequestStatus>(r.GetString(5)), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
                    r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)), r.IsDBNull(9) ? null : r.GetString(9)));
            return list;
        }
    }

    /// <summary>Closes an open request: declined with the words the patient will read, or answered by the correction <paramref name="correctedBy"/>.</summary>
    public async Task<bool> CloseRequestAsync(string facilityId, string requestId, CorrectionRequestStatus status, string? answer, string staff, string? correctedBy, CancellationToken ct = default)
    {
        if (await OpenAsync(facilityId, ct) is not { } conn) return false;
        await using (conn)
        {
            await using var update = Command(conn, null,
                "UPDATE correction_requests SET status = $s, answer = $a, answered_by = $b, answered_at = $at, corrected_by = $c WHERE id = $id AND status = 'Open'",
                ("$s", status.ToString()), ("$a", (object?)answer ?? DBNull.Value), ("$b", staff), ("$at", clock.GetUtcNow().ToUnixTimeMilliseconds()),
                ("$c", (object?)correctedBy ?? DBNull.Value), ("$id", requestId));
            return await update.ExecuteNonQueryAsync(ct) == 1;
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private async Task<List<EhrVersionLink>> QueryAsync(string facilityId, string where, string? recordId, CancellationToken ct)
    {
        if (await OpenAsync(facilityId, ct) is not { } conn) return [];
        await using (conn)
        {
            await using var cmd = Command(conn, null, "SELECT record_id, supersedes, reason, author, written_at FROM record_versions " + where, ("$r", recordId ?? ""));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var list = new List<EhrVersionLink>();
            while (await r.ReadAsync(ct))
                list.Add(new EhrVersionLink(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4))));
            return list;
        }
    }

    /// <summary>The facility's store file, opened read-write (never created: a missing store is null); the tables exist once <see cref="EhrStores.Find"/> migrated it.</summary>
    private async Task<SqliteConnection?> OpenAsync(string facilityId, CancellationToken ct)
    {
        if (stores.Find(facilityId) is not { } store) return null;
        var path = provisioner.PathOf(store.FacilityId);
        if (!File.Exists(path)) return null;
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        await conn.OpenAsync(ct);
        return conn;
    }

    private static SqliteCommand Command(SqliteConnection conn, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }
}
