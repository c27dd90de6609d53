using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

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

    public static DbContextOptions<TContext> OptionsFor(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWrite) =>
        new DbContextOptionsBuilder<TContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString())
            .Options;

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
