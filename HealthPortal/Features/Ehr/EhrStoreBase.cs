using System.Data.Common;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// What the three formats' stores share: one SQLite file, opened per operation (no pooling: the file is the unit
/// an operator copies, restores or deletes, so nothing should keep it open), and the rule that a missing or broken
/// file is "unavailable", never an exception, for a read.
/// </summary>
public abstract class EhrStoreBase<TContext>(string facilityId, string path) : IEhrStore where TContext : DbContext
{
    public string FacilityId { get; } = facilityId;

    /// <summary>The facility's time zone: the day its records are listed under (<see cref="EhrFhir.LocalDate"/>).</summary>
    public TimeZoneInfo Zone { get; init; } = Times.PortalTimeZones.Default;

    public string Path { get; } = path;

    public abstract FacilityKind Kind { get; }

    /// <summary>A context over the existing file (never creates it).</summary>
    public TContext Open() => Create(OptionsFor(Path));

    protected abstract TContext Create(DbContextOptions<TContext> options);

    public static DbContextOptions<TContext> OptionsFor(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWrite)
    {
        var builder = new DbContextOptionsBuilder<TContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        if (mode != SqliteOpenMode.ReadOnly) builder.AddInterceptors(TruncatedJournal.Instance);
        return builder.Options;
    }

    public async Task<EhrRead> ReadAsync(string recordId, CancellationToken ct = default)
    {
        if (!File.Exists(Path)) return EhrRead.Unavailable($"the EHR store of {FacilityId} is missing");
        try
        {
            await using var db = Open();
            var record = await ReadAsync(db, recordId, ct);
            return record is null ? EhrRead.NotFound($"{FacilityId} holds no record {recordId}") : EhrRead.Found(record);
        }
        catch (SqliteException e)
        {
            return EhrRead.Unavailable($"the EHR store of {FacilityId} cannot be read ({e.SqliteErrorCode}: {e.Message})");
        }
    }

    /// <summary>
    /// Several records over one opening of the file: measured (<c>HealthPortal.Bench everything</c>, docs/benchmarks.md),
    /// reading each record on its own connection made the context, the file's opening and schema read, the journal
    /// pragma and the close the larger part of verifying a record. Each record is still read from the file as it is now,
    /// one query per record as <see cref="ReadAsync(string, CancellationToken)"/> reads it; a store that cannot be read
    /// answers every record still unread Unavailable.
    /// </summary>
    public async Task<IReadOnlyList<EhrRead>> ReadManyAsync(IReadOnlyList<string> recordIds, CancellationToken ct = default)
    {
        var reads = new EhrRead[recordIds.Count];
        if (!File.Exists(Path))
        {
            Array.Fill(reads, EhrRead.Unavailable($"the EHR store of {FacilityId} is missing"));
            return reads;
        }
        var done = 0;
        try
        {
            await using var db = Open();
            for (; done < reads.Length; done++)
            {
                var record = await ReadAsync(db, recordIds[done], ct);
                reads[done] = record is null ? EhrRead.NotFound($"{FacilityId} holds no record {recordIds[done]}") : EhrRead.Found(record);
                // Each read stands alone, as on its own connection: nothing tracked from one record is reused for the next.
                db.ChangeTracker.Clear();
            }
        }
        catch (SqliteException e)
        {
            for (; done < reads.Length; done++)
                reads[done] = EhrRead.Unavailable($"the EHR store of {FacilityId} cannot be read ({e.SqliteErrorCode}: {e.Message})");
        }
        return reads;
    }

    /// <summary>A missing store holds nothing; a broken one throws <see cref="SqliteException"/> (it is not "no records").</summary>
    public async Task<IReadOnlyList<EhrRecord>> RecordsOfAsync(string mpi, CancellationToken ct = default)
    {
        if (!File.Exists(Path)) return [];
        await using var db = Open();
        var records = await RecordsOfAsync(db, mpi, ct);
        // Newest first; within a day, in the order the format lists them (an encounter before its diagnoses).
        return records.Select((r, i) => (r, i)).OrderByDescending(x => x.r.Date).ThenBy(x => x.i).Select(x => x.r).ToList();
    }

    /// <summary>A missing store holds no patients; a broken one throws <see cref="SqliteException"/>.</summary>
    public async Task<IReadOnlyList<string>> PatientMpisAsync(CancellationToken ct = default)
    {
        if (!File.Exists(Path)) return [];
        await using var db = Open();
        return await PatientMpisAsync(db, ct);
    }

    protected abstract Task<List<string>> PatientMpisAsync(TContext db, CancellationToken ct);

    protected abstract Task<EhrRecord?> ReadAsync(TContext db, string recordId, CancellationToken ct);

    protected abstract Task<List<EhrRecord>> RecordsOfAsync(TContext db, string mpi, CancellationToken ct);
}

/// <summary>
/// Every store connection that may write keeps its rollback journal with <c>journal_mode=TRUNCATE</c> instead of
/// SQLite's default DELETE. Measured (<c>HealthPortal.Bench store-write</c>, docs/benchmarks.md): a store write's wall
/// time is its commit, and with DELETE a third of the commit is deleting the journal file, a directory change synced
/// with the rest; truncating it to zero bytes leaves the directory alone. Durability is unchanged (the journal is still
/// synced before the database, with <c>synchronous=FULL</c>), and the store is still one self-contained file between
/// operations: the empty <c>-journal</c> beside it holds nothing. WAL, which would halve the commit, is not used: with
/// no pooling every close checkpoints it, which measured as costly as what it saved. The mode is not kept in the file,
/// so it is set on every connection as it opens.
/// </summary>
internal sealed class TruncatedJournal : DbConnectionInterceptor
{
    public static readonly TruncatedJournal Instance = new();

    private const string Pragma = "PRAGMA journal_mode=TRUNCATE";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
