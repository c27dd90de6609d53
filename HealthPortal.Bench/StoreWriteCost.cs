using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Facilities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>store-write</c> stage (issue 17): where the time of one hospital store write goes. Phase (e) measured 11.6 ms
/// of wall time and 1.6 ms of CPU per write and left the rest unexplained. This stage makes N sequential one-record
/// admissions through <see cref="HospitalRecords.RecordAdmissionAsync"/> (the form's service, as (e) does) and, on the
/// same file, N writes that repeat the service's steps one by one with a stopwatch and the thread's CPU clock between
/// them: context creation, connection opening (with SQLite's schema read), the patient lookup, the MRN count, the insert
/// (SaveChanges), the commit (where the journal is synced) and the close. Each run is made with the store's journal as
/// it is found and then with the alternatives (rollback journal or WAL, synchronous FULL or NORMAL), so the cause of
/// the wall time is measured, not guessed. Sequential on purpose: one writer, no lock waits, no thread-pool queueing.
/// </summary>
internal static class StoreWriteCost
{
    private const string Usage = "usage: HealthPortal.Bench store-write [--writes N (default 300)] [--out FILE.json]";

    private static readonly string[] Steps = ["context", "open", "begin", "lookup", "count", "insert", "commit", "close"];

    public static async Task<int> RunAsync(string[] args)
    {
        var writes = 300;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--writes" && i + 1 < args.Length && int.TryParse(args[++i], out var w) && w >= 10) writes = w;
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        var log = Console.Out;
        var folder = Directory.CreateTempSubdirectory("hp-bench-storewrite-").FullName;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";
        log.WriteLine($"store-write: {writes} sequential writes per variant, folder {folder}, load average {load}");
        try
        {
            var provisioner = new EhrStoreProvisioner(Options.Create(new PortalDataOptions { DataFolder = folder }), TimeProvider.System);
            var registry = new DbContextOptionsBuilder<ApplicationDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "portal.db")};Pooling=False").Options;
            var portal = new PooledDbContextFactory<ApplicationDbContext>(registry);
            var facility = new HealthFacility { Id = "bench-hospital-1", Name = "Bench hospital", Kind = FacilityKind.Hospital, Status = FacilityStatus.Approved, NodeKeyId = "k", Endpoint = "https://h.example/fhir", Contact = "b@example.org" };
            await using (var db = await portal.CreateDbContextAsync())
            {
                await db.Database.EnsureCreatedAsync();
                db.Facilities.Add(facility);
                await db.SaveChangesAsync();
            }
            var path = provisioner.Provision(facility);
            var service = new HospitalRecords(new EhrStores(portal, provisioner), TimeProvider.System);
            var found = Pragma(path, "journal_mode");
            log.WriteLine($"provisioned store: journal_mode={found}, synchronous={Pragma(path, "synchronous")} (0 off, 1 normal, 2 full, 3 extra)");

            // JIT, EF's model and the first schema read are not charged to any variant.
            var n = 0L;
            for (var i = 0; i < 30; i++) await service.RecordAdmissionAsync(facility.Id, BenchStores.MpiOf((int)(n % 1000)), BenchStores.Admission(n++), "bench").ConfigureAwait(false);

            var results = new JsonArray();
            // persist and truncate keep the rollback journal's durability but do not delete the journal file at every
            // commit; they are not remembered by the file, so the stepped writes set them on each connection.
            foreach (var (journal, synchronous) in new[] { (found, ""), ("delete", "NORMAL"), ("persist", "FULL"), ("truncate", "FULL"), ("wal", "FULL"), ("wal", "NORMAL") })
            {
                Pragma(path, "journal_mode", journal is "persist" or "truncate" ? "delete" : journal);
                // The service runs as the portal opens its stores (EhrStoreBase: journal_mode=TRUNCATE on every connection since
                // issue 17); the stepped writes of that first variant use the file's own mode, DELETE, with the default synchronous.
                var label = synchronous.Length == 0 ? $"{journal} (as provisioned), synchronous default; service as the portal opens it" : $"{journal}, synchronous={synchronous}";
                var serviceWall = new List<double>();
                var serviceCpu = new List<double>();
                if (synchronous.Length == 0)
                {
                    for (var i = 0; i < writes; i++)
                    {
                        var t = Stopwatch.GetTimestamp();
                        var cpu = ThreadCpu.CurrentThreadNanoseconds();
                        var thread = Environment.CurrentManagedThreadId;
                        var saved = await service.RecordAdmissionAsync(facility.Id, BenchStores.MpiOf((int)(n % 1000)), BenchStores.Admission(n++), "bench").ConfigureAwait(false);
                        if (saved.Value is null) throw new InvalidOperationException("write failed: " + saved);
                        serviceWall.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                        if (Environment.CurrentManagedThreadId == thread) serviceCpu.Add((ThreadCpu.CurrentThreadNanoseconds() - cpu) / 1000.0);
                    }
                }
                var wall = Steps.ToDictionary(s => s, _ => new List<double>());
                var cpuUs = Steps.ToDictionary(s => s, _ => new List<double>());
                for (var i = 0; i < writes; i++) await SteppedWriteAsync(path, journal, synchronous, n++, wall, cpuUs).ConfigureAwait(false);

                var row = new JsonObject { ["variant"] = label };
                if (serviceWall.Count > 0)
                {
                    row["service_wall_ms_mean"] = Math.Round(serviceWall.Average(), 3);
                    row["service_wall_ms_p50"] = Math.Round(Percentile(serviceWall, 0.5), 3);
                    row["service_wall_ms_p99"] = Math.Round(Percentile(serviceWall, 0.99), 3);
                    row["service_cpu_us_mean"] = serviceCpu.Count == 0 ? null : Math.Round(serviceCpu.Average(), 1);
                    log.WriteLine($"[{label}] service: wall mean {serviceWall.Average():N3} ms (p50 {Percentile(serviceWall, 0.5):N3}, p99 {Percentile(serviceWall, 0.99):N3}), CPU {(serviceCpu.Count == 0 ? double.NaN : serviceCpu.Average()):N0} µs");
                }
                var steps = new JsonObject();
                foreach (var s in Steps)
                {
                    var cpuKept = cpuUs[s].Where(v => v >= 0).ToList();
                    steps[s] = new JsonObject { ["wall_ms"] = Math.Round(wall[s].Average(), 3), ["cpu_us"] = cpuKept.Count == 0 ? null : Math.Round(cpuKept.Average(), 1) };
                }
                var total = Steps.Sum(s => wall[s].Average());
                row["stepped_wall_ms_total"] = Math.Round(total, 3);
                row["steps"] = steps;
                log.WriteLine($"[{label}] steps (wall ms / CPU µs): " + string.Join(", ", Steps.Select(s =>
                    $"{s} {wall[s].Average():N3}/{(cpuUs[s].Any(v => v >= 0) ? cpuUs[s].Where(v => v >= 0).Average() : double.NaN):N0}")) + $"; total {total:N3} ms");
                results.Add(row);
            }
            if (output is not null)
            {
                var json = new JsonObject
                {
                    ["writes_per_variant"] = writes, ["variants"] = results, ["load_average"] = load,
                    ["processors"] = Environment.ProcessorCount, ["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                };
                await File.WriteAllTextAsync(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The steps of <see cref="HospitalRecords.RecordAdmissionAsync"/>, each timed (wall ms; thread CPU µs, -1 when the await moved threads).</summary>
    private static async Task SteppedWriteAsync(string path, string journal, string synchronous, long n, Dictionary<string, List<double>> wall, Dictionary<string, List<double>> cpu)
    {
        var t = Stopwatch.GetTimestamp();
        var c = ThreadCpu.CurrentThreadNanoseconds();
        var thread = Environment.CurrentManagedThreadId;
        void Lap(string step)
        {
            var now = Stopwatch.GetTimestamp();
            var nowCpu = ThreadCpu.CurrentThreadNanoseconds();
            wall[step].Add((now - t) * 1000.0 / Stopwatch.Frequency);
            cpu[step].Add(Environment.CurrentManagedThreadId == thread ? (nowCpu - c) / 1000.0 : -1);
            t = Stopwatch.GetTimestamp();
            c = ThreadCpu.CurrentThreadNanoseconds();
            thread = Environment.CurrentManagedThreadId;
        }

        var mpi = BenchStores.MpiOf((int)(n % 1000));
        // Not EhrStoreBase.OptionsFor: that sets the portal's journal mode on every connection, and each variant sets its own.
        var db = new HospitalStoreContext(new DbContextOptionsBuilder<HospitalStoreContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()).Options);
        Lap("context");
        await db.Database.OpenConnectionAsync().ConfigureAwait(false);
        if (synchronous.Length > 0) await db.Database.ExecuteSqlRawAsync(synchronous == "FULL" ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL").ConfigureAwait(false);
        if (journal == "persist") await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=PERSIST").ConfigureAwait(false);
        else if (journal == "truncate") await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=TRUNCATE").ConfigureAwait(false);
        else if (journal == "wal") await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL").ConfigureAwait(false);
        else await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=DELETE").ConfigureAwait(false);
        Lap("open");
        var transaction = await db.Database.BeginTransactionAsync().ConfigureAwait(false);
        Lap("begin");
        var patient = await db.Patients.SingleOrDefaultAsync(p => p.Mpi == mpi).ConfigureAwait(false);
        Lap("lookup");
        if (patient is null)
        {
            patient = new HospitalPatient { Mrn = $"H{await db.Patients.CountAsync().ConfigureAwait(false) + 1:D7}", Mpi = mpi };
            db.Patients.Add(patient);
        }
        Lap("count");
        var input = BenchStores.Admission(n);
        db.Admissions.Add(new Admission
        {
            Id = EhrIds.New("adm"), Patient = patient, PatientMrn = patient.Mrn, Type = input.Type, Ward = "", AttendingClinician = input.AttendingClinician!,
            StartedAt = input.StartedAt!.Value, EndedAt = input.EndedAt, EnteredBy = "bench",
        });
        await db.SaveChangesAsync().ConfigureAwait(false);
        Lap("insert");
        await transaction.CommitAsync().ConfigureAwait(false);
        Lap("commit");
        await transaction.DisposeAsync().ConfigureAwait(false);
        await db.DisposeAsync().ConfigureAwait(false);
        Lap("close");
    }

    private static string Pragma(string path, string name, string? value = null)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = value is null ? $"PRAGMA {name}" : $"PRAGMA {name}={value}";
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
