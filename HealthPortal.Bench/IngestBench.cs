using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Ingest;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>ingest</c> stage (issue 17): the whole portal on Kestrel (loopback, a fresh demo data folder) and, in one run,
/// <list type="number">
/// <item>the ledger-only rate of that portal's own ledger: pre-signed two-signature <c>record.anchor</c>s submitted by
/// 2,000 closed-loop submitters, measured before and after the ingestion windows (the mean is the divisor);</item>
/// <item>ingestion, the hospital (EHR) and the laboratory separately: closed-loop facility systems post Bundles of 100
/// records (10 patients × 10) to <c>POST /fhir/r4</c> over HTTP as the facility's API client; each Bundle's patients then
/// confirm all their waiting records at once the way the confirm page does (<see cref="AnchorWorkflow.ToSignAsync"/>,
/// the patient key's signature over each body, <see cref="AnchorWorkflow.ConfirmAsync"/>), so a record counts when its
/// facility-signed and patient-co-signed anchor is <b>committed on the ledger</b>. <c>ingest_ratio</c> = records/s ÷
/// the ledger-only rate;</item>
/// <item>interactive single saves: open loop at 20 saves/s, each what the hospital admission form's save does up to
/// the confirmation QR shown (the store write, <see cref="AnchorWorkflow.PrepareAsync"/> as the staff member, the QR
/// PNG), timed from when it was due.</item>
/// </list>
/// The patient's browser is simulated by the bench (its key is the demo's server-held key), and its HTTP round trips
/// of the confirm page (a Blazor circuit) are not part of the figures; the facility system's are.
/// </summary>
internal static class IngestBench
{
    private const string Usage = "usage: HealthPortal.Bench ingest [--seconds S (20)] [--clients C per facility (4)] [--bundle N records (100)] [--per-patient R records of a patient in a Bundle (10)] [--saves-per-second N (20)] [--ledger-anchors N (20000)] [--warmup S seconds per warm-up window (S/4, at least 3)] [--warmup-records N per facility (3000)] [--out FILE.json]";
    private const string Hospital = "demo-riverside";
    private const string Laboratory = "demo-northgate";

    public static async Task<int> RunAsync(string[] args)
    {
        int seconds = 20, clients = 4, bundle = 100, perPatient = 10, savesPerSecond = 20, ledgerAnchors = 20_000, warmup = 0, warmupRecords = 3_000;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            bool Int(out int v) { v = 0; return i + 1 < args.Length && int.TryParse(args[++i], out v) && v > 0; }
            if (args[i] == "--seconds" && Int(out var s)) seconds = s;
            else if (args[i] == "--clients" && Int(out var c)) clients = c;
            else if (args[i] == "--bundle" && Int(out var b) && b <= 1000) bundle = b;
            else if (args[i] == "--per-patient" && Int(out var p)) perPatient = p;
            else if (args[i] == "--saves-per-second" && Int(out var r)) savesPerSecond = r;
            else if (args[i] == "--ledger-anchors" && Int(out var l)) ledgerAnchors = l;
            else if (args[i] == "--warmup" && Int(out var w)) warmup = w;
            else if (args[i] == "--warmup-records" && Int(out var wr)) warmupRecords = wr;
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        if (bundle % perPatient != 0)
        {
            Console.Error.WriteLine("--bundle must be a multiple of --per-patient");
            return 2;
        }
        var log = Console.Out;
        var started = DateTimeOffset.UtcNow;
        var loadStart = LoadAverage();
        if (warmup == 0) warmup = Math.Max(3, seconds / 4);
        log.WriteLine($"ingest: {Environment.ProcessorCount} cores, load {loadStart}; Bundles of {bundle} ({bundle / perPatient} patients × {perPatient}), {clients} systems per facility, {seconds} s windows after warm-up windows of {warmup} s until {warmupRecords} records per facility");

        await using var portal = await KestrelPortal.StartAsync(log);
        var services = portal.Services;
        var world = await IngestWorld.CreateAsync(portal, patients: 2 * clients * (bundle / perPatient), log);

        var result = new JsonObject
        {
            ["stage"] = "ingest", ["bundle"] = bundle, ["patients_per_bundle"] = bundle / perPatient, ["clients_per_facility"] = clients, ["seconds"] = seconds, ["warmup_seconds"] = warmup,
            ["processors"] = Environment.ProcessorCount, ["runtime"] = Environment.Version.ToString(),
            ["configuration"] = typeof(IngestBench).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
                .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "",
            ["started"] = started.ToString("O", CultureInfo.InvariantCulture), ["loadavg_start"] = loadStart,
        };

        // Warm-up: Bundles each way and a ledger-only burst, so the first store schema checks are not measured. The tiered
        // JIT takes far longer than a few Bundles: confirm-cost found it recompiling methods of the confirmation path for
        // about 2,400 records (docs/benchmarks.md), so --warmup sets how long this lasts per facility.
        await world.LedgerOnlyAsync(Math.Min(2_000, ledgerAnchors), log, "ledger-only warm-up");
        // Measured in records, not seconds (the JIT's work is per call): windows of --warmup s until each facility has
        // ingested --warmup-records, at most 90 s each so a loaded machine cannot stretch the stage without end.
        var warmedUp = new JsonObject();
        foreach (var facility in new[] { Hospital, Laboratory })
        {
            var warmed = 0L;
            var warmClock = Stopwatch.StartNew();
            while (warmed < warmupRecords && warmClock.Elapsed < TimeSpan.FromSeconds(90))
                warmed += (await IngestWindowAsync(world, facility, clients, bundle, perPatient, TimeSpan.FromSeconds(warmup), log, "warm-up " + facility).ConfigureAwait(false)).Records;
            warmedUp[facility] = new JsonObject { ["records"] = warmed, ["seconds"] = Math.Round(warmClock.Elapsed.TotalSeconds, 1) };
        }
        result["warmup"] = warmedUp;

        var ledgerBefore = await world.LedgerOnlyAsync(ledgerAnchors, log, "ledger-only before");
        var ehr = await IngestWindowAsync(world, Hospital, clients, bundle, perPatient, TimeSpan.FromSeconds(seconds), log, "ingest ehr");
        var lab = await IngestWindowAsync(world, Laboratory, clients, bundle, perPatient, TimeSpan.FromSeconds(seconds), log, "ingest lab");
        var ledgerAfter = await world.LedgerOnlyAsync(ledgerAnchors, log, "ledger-only after");
        var ledgerRate = (ledgerBefore.PerSecond + ledgerAfter.PerSecond) / 2;
        var saves = await InteractiveAsync(world, savesPerSecond, TimeSpan.FromSeconds(seconds), log);
        var splitEhr = await SplitAsync(world, Hospital, bundle, perPatient, 8, log);
        var splitLab = await SplitAsync(world, Laboratory, bundle, perPatient, 8, log);

        var ehrRatio = ehr.RecordsPerSecond / ledgerRate;
        var labRatio = lab.RecordsPerSecond / ledgerRate;
        var cpuLedger = (ledgerBefore.CpuUsPerTx + ledgerAfter.CpuUsPerTx) / 2;
        log.WriteLine($"ledger-only {ledgerRate:N0} tx/s (before {ledgerBefore.PerSecond:N0}, after {ledgerAfter.PerSecond:N0}); {cpuLedger:N0} µs CPU per tx");
        log.WriteLine($"ingest_ratio ehr {ehrRatio:N3} ({ehr.RecordsPerSecond:N0} records/s), lab {labRatio:N3} ({lab.RecordsPerSecond:N0} records/s); target ≥ 0.25");
        log.WriteLine($"cpu ratio (ledger-only CPU per tx ÷ ingestion CPU per record): ehr {cpuLedger / ehr.CpuUsPerRecord:N3}, lab {cpuLedger / lab.CpuUsPerRecord:N3}");
        log.WriteLine($"interactive saves at {savesPerSecond}/s: p50 {saves.P50:N1} ms, p99 {saves.P99:N1} ms, max {saves.Max:N1} ms; target p99 ≤ 50 ms");

        result["ledger_only"] = new JsonObject
        {
            ["tx_per_s"] = Math.Round(ledgerRate, 1), ["before"] = ledgerBefore.ToJson(), ["after"] = ledgerAfter.ToJson(), ["cpu_us_per_tx"] = Math.Round(cpuLedger, 1),
        };
        result["ehr"] = ehr.ToJson();
        result["lab"] = lab.ToJson();
        result["ingest_ratio_ehr"] = Math.Round(ehrRatio, 3);
        result["ingest_ratio_lab"] = Math.Round(labRatio, 3);
        result["ingest_ratio"] = Math.Round(Math.Min(ehrRatio, labRatio), 3);
        result["cpu_ratio_ehr"] = Math.Round(cpuLedger / ehr.CpuUsPerRecord, 3);
        result["cpu_ratio_lab"] = Math.Round(cpuLedger / lab.CpuUsPerRecord, 3);
        result["interactive"] = saves.ToJson(savesPerSecond);
        result["split_ehr"] = splitEhr;
        result["split_lab"] = splitLab;
        result["loadavg_end"] = LoadAverage();
        log.WriteLine($"load at the end {LoadAverage()}");
        if (output is not null) await File.WriteAllTextAsync(output, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return ehr.Failures + lab.Failures + saves.Failures == 0 ? 0 : 1;
    }

    internal static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    private static TimeSpan ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>What one ingestion window measured: records committed per second and where a Bundle's time went.</summary>
    private sealed record IngestWindow(string Label, double RecordsPerSecond, long Records, int Bundles, double PostMsMean, double PostMsP99,
        double ConfirmMsMean, double ConfirmMsP99, double CpuUsPerRecord, int Failures, string FirstFailure, string Load)
    {
        public JsonObject ToJson() => new()
        {
            ["records_per_s"] = Math.Round(RecordsPerSecond, 1), ["records"] = Records, ["bundles"] = Bundles,
            ["post_ms_mean"] = Math.Round(PostMsMean, 1), ["post_ms_p99"] = Math.Round(PostMsP99, 1),
            ["confirm_ms_mean"] = Math.Round(ConfirmMsMean, 1), ["confirm_ms_p99"] = Math.Round(ConfirmMsP99, 1),
            ["cpu_us_per_record"] = Math.Round(CpuUsPerRecord, 1), ["failures"] = Failures, ["first_failure"] = FirstFailure, ["loadavg"] = Load,
        };
    }

    /// <summary>
    /// Closed loop: each of <paramref name="clients"/> facility systems posts a Bundle, its patients confirm, then the
    /// next Bundle. A Bundle's records count when the last of its confirmations is anchored inside the window.
    /// Each system has its own patients, so no two confirm the same patient at once.
    /// </summary>
    private static async Task<IngestWindow> IngestWindowAsync(IngestWorld world, string facility, int clients, int bundle, int perPatient, TimeSpan window, TextWriter log, string label)
    {
        var patientsPerBundle = bundle / perPatient;
        var stop = 0;
        var windowStart = long.MaxValue;
        var windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        long records = 0;
        var bundles = 0;
        var failures = 0;
        string? firstFailure = null;
        var posts = new ConcurrentBag<double>();
        var confirms = new ConcurrentBag<double>();
        var token = world.Tokens[facility];
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = world.Patients.Skip(c * patientsPerBundle).Take(patientsPerBundle).ToList();
            while (Volatile.Read(ref stop) == 0)
            {
                var n = world.NextBundle();
                var json = facility == Laboratory ? LabBundle(mine, n, perPatient) : HospitalBundle(mine, n, perPatient);
                var begun = Stopwatch.GetTimestamp();
                var error = await world.PostAsync(token, json, bundle).ConfigureAwait(false);
                var posted = Stopwatch.GetTimestamp();
                error ??= await world.ConfirmAllAsync(mine).ConfigureAwait(false);
                var done = Stopwatch.GetTimestamp();
                if (error is not null)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, error, null);
                    continue;
                }
                var since = done - Volatile.Read(ref windowStart);
                if (since < 0 || since >= windowTicks) continue;
                Interlocked.Add(ref records, bundle);
                Interlocked.Increment(ref bundles);
                posts.Add(Stopwatch.GetElapsedTime(begun, posted).TotalMilliseconds);
                confirms.Add(Stopwatch.GetElapsedTime(posted, done).TotalMilliseconds);
            }
        })).ToArray();
        // The window opens once every system has a Bundle in flight (the first post of each pays nothing special).
        var cpu = await Task.Factory.StartNew(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(1));
            var before = ProcessCpu();
            Volatile.Write(ref windowStart, Stopwatch.GetTimestamp());
            Thread.Sleep(window);
            return ProcessCpu() - before;
        }, TaskCreationOptions.LongRunning).ConfigureAwait(false);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(tasks).ConfigureAwait(false);

        var p = posts.Order().ToArray();
        var q = confirms.Order().ToArray();
        var result = new IngestWindow(label, records / window.TotalSeconds, records, bundles, p.DefaultIfEmpty(double.NaN).Average(), Percentile(p, 0.99),
            q.DefaultIfEmpty(double.NaN).Average(), Percentile(q, 0.99), records == 0 ? double.NaN : cpu.TotalMicroseconds / records, failures, firstFailure ?? "none", LoadAverage());
        log.WriteLine($"({label}) {result.RecordsPerSecond:N0} records/s committed ({records:N0} in {window.TotalSeconds:N0} s, {bundles} Bundles); " +
                      $"POST {result.PostMsMean:N0} ms mean (p99 {result.PostMsP99:N0}), patients' confirmations {result.ConfirmMsMean:N0} ms mean (p99 {result.ConfirmMsP99:N0}); " +
                      $"{result.CpuUsPerRecord:N0} µs process CPU per record; failures {failures}{(firstFailure is null ? "" : ": " + firstFailure)}; load {result.Load}");
        return result;
    }

    /// <summary>
    /// Where an ingested record's CPU goes: <paramref name="bundles"/> Bundles one after another (one system, nothing
    /// else running in the process), the process CPU of the POST (the server's whole handling, the HTTP client's
    /// share included) and of the patients' confirmations measured apart.
    /// </summary>
    private static async Task<JsonObject> SplitAsync(IngestWorld world, string facility, int bundle, int perPatient, int bundles, TextWriter log)
    {
        var mine = world.Patients.Take(bundle / perPatient).ToList();
        TimeSpan post = TimeSpan.Zero, confirm = TimeSpan.Zero;
        double postMs = 0, confirmMs = 0;
        for (var b = 0; b < bundles; b++)
        {
            var n = world.NextBundle();
            var json = facility == Laboratory ? LabBundle(mine, n, perPatient) : HospitalBundle(mine, n, perPatient);
            var cpu0 = ProcessCpu();
            var t0 = Stopwatch.GetTimestamp();
            var error = await world.PostAsync(world.Tokens[facility], json, bundle).ConfigureAwait(false);
            var cpu1 = ProcessCpu();
            var t1 = Stopwatch.GetTimestamp();
            error ??= await world.ConfirmAllAsync(mine).ConfigureAwait(false);
            var cpu2 = ProcessCpu();
            if (error is not null) throw new InvalidOperationException("bench split: " + error);
            post += cpu1 - cpu0;
            confirm += cpu2 - cpu1;
            postMs += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            confirmMs += Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
        }
        var records = (double)bundles * bundle;
        var json2 = new JsonObject
        {
            ["bundles"] = bundles, ["post_cpu_us_per_record"] = Math.Round(post.TotalMicroseconds / records, 1), ["confirm_cpu_us_per_record"] = Math.Round(confirm.TotalMicroseconds / records, 1),
            ["post_wall_ms_per_bundle"] = Math.Round(postMs / bundles, 1), ["confirm_wall_ms_per_bundle"] = Math.Round(confirmMs / bundles, 1), ["loadavg"] = LoadAverage(),
        };
        log.WriteLine($"(split {facility}) {bundles} Bundles one at a time: POST {post.TotalMicroseconds / records:N0} µs CPU per record ({postMs / bundles:N0} ms a Bundle), " +
                      $"confirmations {confirm.TotalMicroseconds / records:N0} µs CPU per record ({confirmMs / bundles:N0} ms a Bundle); load {LoadAverage()}");
        return json2;
    }

    private static JsonObject Subject(string mpi) => new() { ["identifier"] = new JsonObject { ["system"] = EhrFhir.MpiSystem, ["value"] = mpi } };

    /// <summary>A batch of outpatient Encounters (each one admission, one record), <paramref name="perPatient"/> for each patient.</summary>
    internal static byte[] HospitalBundle(IReadOnlyList<IngestPatient> patients, long n, int perPatient)
    {
        var entries = new JsonArray();
        foreach (var patient in patients)
            for (var i = 0; i < perPatient; i++)
            {
                var start = new DateTime(2020, 1, 1, 8, 0, 0, DateTimeKind.Utc).AddMinutes((n * perPatient + i) % 2_000_000);
                entries.Add(new JsonObject
                {
                    ["fullUrl"] = $"urn:bench:ehr:{n}:{patient.Mpi}:{i}",
                    ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Encounter" },
                    ["resource"] = new JsonObject
                    {
                        ["resourceType"] = "Encounter",
                        ["status"] = "finished",
                        ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "AMB" },
                        ["subject"] = Subject(patient.Mpi),
                        ["participant"] = new JsonArray(new JsonObject { ["individual"] = new JsonObject { ["display"] = $"Dr Bench {i}" } }),
                        ["period"] = new JsonObject
                        {
                            ["start"] = start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                            ["end"] = start.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        },
                    },
                });
            }
        return Encoding.UTF8.GetBytes(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch", ["entry"] = entries }.ToJsonString());
    }

    /// <summary>A batch of single-result lab Observations, cycling through the catalogue with values inside each interval.</summary>
    internal static byte[] LabBundle(IReadOnlyList<IngestPatient> patients, long n, int perPatient)
    {
        var entries = new JsonArray();
        foreach (var patient in patients)
            for (var i = 0; i < perPatient; i++)
            {
                var test = LabCatalogue.Tests[(int)((n + i) % LabCatalogue.Tests.Count)];
                var low = test.Low ?? test.PlausibleMin;
                var high = test.High ?? low * 2;
                var step = (decimal)Math.Pow(10, -test.Decimals);
                var value = low + Math.Round((high - low) * ((n * 31 + i * 17) % 100) / 100m / step) * step;
                var collected = new DateTime(2020, 1, 1, 8, 0, 0, DateTimeKind.Utc).AddMinutes((n * perPatient + i) % 2_000_000);
                entries.Add(new JsonObject
                {
                    ["fullUrl"] = $"urn:bench:lab:{n}:{patient.Mpi}:{i}",
                    ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Observation" },
                    ["resource"] = new JsonObject
                    {
                        ["resourceType"] = "Observation",
                        ["status"] = "final",
                        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = EhrFhir.LoincSystem, ["code"] = test.Loinc }) },
                        ["subject"] = Subject(patient.Mpi),
                        ["effectiveDateTime"] = collected.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = test.Unit, ["system"] = EhrFhir.Ucum, ["code"] = test.Unit },
                    },
                });
            }
        return Encoding.UTF8.GetBytes(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch", ["entry"] = entries }.ToJsonString());
    }

    private sealed record Saves(int Count, double P50, double P90, double P99, double Max, double Mean, double WriteMsMean, double PrepareMsMean, double QrMsMean, double MaxLagMs, int Failures, string FirstFailure, string Load)
    {
        /// <summary>Where the time of the saves at or above p95 went, and what queued them (filled after the window).</summary>
        public JsonObject? Tail { get; init; }

        public JsonObject ToJson(int rate) => new()
        {
            ["saves_per_s"] = rate, ["saves"] = Count, ["p50_ms"] = Math.Round(P50, 1), ["p90_ms"] = Math.Round(P90, 1), ["p99_ms"] = Math.Round(P99, 1),
            ["max_ms"] = Math.Round(Max, 1), ["mean_ms"] = Math.Round(Mean, 1), ["store_write_ms_mean"] = Math.Round(WriteMsMean, 1),
            ["prepare_ms_mean"] = Math.Round(PrepareMsMean, 1), ["qr_ms_mean"] = Math.Round(QrMsMean, 1), ["pacer_max_lag_ms"] = Math.Round(MaxLagMs, 1),
            ["failures"] = Failures, ["first_failure"] = FirstFailure, ["loadavg"] = Load, ["split"] = Tail?.DeepClone(),
        };
    }

    /// <summary>
    /// Open loop at <paramref name="rate"/> saves/s: each save is due at its slot and timed from then (a stalled server
    /// cannot hide behind a slowed client) through the hospital's store write, the facility-signed anchor prepared as
    /// the staff member (<see cref="AnchorWorkflow.PrepareAsync"/>) and the QR code's PNG the staff page shows.
    /// The first second is not sampled.
    /// </summary>
    private static async Task<Saves> InteractiveAsync(IngestWorld world, int rate, TimeSpan window, TextWriter log)
    {
        var count = (int)(rate * (window.TotalSeconds + 1));
        var latencies = new double[count];
        var writes = new double[count];
        var prepares = new double[count];
        var qrs = new double[count];
        var starts = new double[count];
        var failures = 0;
        string? firstFailure = null;
        var maxLag = 0.0;
        var tasks = new List<Task>(count);
        var gateBefore = world.WriteGateCounts;
        var gcBefore = GC.GetTotalPauseDuration();
        var gcCountBefore = GC.CollectionCount(0);
        var origin = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / (double)rate;
        for (var i = 0; i < count; i++)
        {
            var due = origin + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
                if (wait > 2) await Task.Delay(TimeSpan.FromMilliseconds(wait - 1)).ConfigureAwait(false);
                else Thread.SpinWait(50);
            }
            maxLag = Math.Max(maxLag, Stopwatch.GetElapsedTime(due).TotalMilliseconds);
            var n = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    // From due to this line: the thread pool's queue (and the pacer's own lag) before the save starts.
                    starts[n] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                    var (write, prepare, qr) = await world.InteractiveSaveAsync(n).ConfigureAwait(false);
                    latencies[n] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                    (writes[n], prepares[n], qrs[n]) = (write, prepare, qr);
                }
                catch (Exception e) when (e is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
                {
                    latencies[n] = double.NaN;
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var sampled = Enumerable.Range(rate, count - rate).Where(i => !double.IsNaN(latencies[i])).ToArray();
        var sorted = sampled.Select(i => latencies[i]).Order().ToArray();
        var saves = new Saves(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), sorted.DefaultIfEmpty(double.NaN).Max(),
            sorted.DefaultIfEmpty(double.NaN).Average(), sampled.Select(i => writes[i]).DefaultIfEmpty(double.NaN).Average(),
            sampled.Select(i => prepares[i]).DefaultIfEmpty(double.NaN).Average(), sampled.Select(i => qrs[i]).DefaultIfEmpty(double.NaN).Average(), maxLag,
            failures, firstFailure ?? "none", LoadAverage());
        var gate = world.WriteGateCounts;
        var gcPause = (GC.GetTotalPauseDuration() - gcBefore).TotalMilliseconds;
        // The split asked for by issue 17: per save, from due to shown = queued before start + store write (of which
        // waiting for another writer of the same file: the write gate's counters) + prepare + QR; over all sampled saves
        // and over the tail (at or above p95), where the p99 lives.
        var p95 = Percentile(sorted, 0.95);
        JsonObject Part(IReadOnlyList<int> which) => new()
        {
            ["saves"] = which.Count,
            ["total_ms_mean"] = Math.Round(which.Select(i => latencies[i]).DefaultIfEmpty(double.NaN).Average(), 1),
            ["queued_before_start_ms_mean"] = Math.Round(which.Select(i => starts[i]).DefaultIfEmpty(double.NaN).Average(), 1),
            ["store_write_ms_mean"] = Math.Round(which.Select(i => writes[i]).DefaultIfEmpty(double.NaN).Average(), 1),
            ["prepare_ms_mean"] = Math.Round(which.Select(i => prepares[i]).DefaultIfEmpty(double.NaN).Average(), 1),
            ["qr_ms_mean"] = Math.Round(which.Select(i => qrs[i]).DefaultIfEmpty(double.NaN).Average(), 1),
        };
        var tail = sampled.Where(i => latencies[i] >= p95).ToList();
        var split = new JsonObject
        {
            ["all"] = Part(sampled), ["tail_p95"] = Part(tail), ["p95_ms"] = Math.Round(p95, 1),
            ["store_turns"] = gate.Turns - gateBefore.Turns, ["store_turns_that_waited"] = gate.Waited - gateBefore.Waited,
            ["store_turn_wait_ms_total"] = Math.Round(gate.WaitMs - gateBefore.WaitMs, 1), ["store_turn_wait_ms_max_so_far"] = Math.Round(gate.MaxWaitMs, 1),
            ["gc_pause_ms"] = Math.Round(gcPause, 1), ["gen0_collections"] = GC.CollectionCount(0) - gcCountBefore,
        };
        saves = saves with { Tail = split };
        log.WriteLine($"(interactive) {sorted.Length} saves at {rate}/s: p50 {saves.P50:N1} ms, p90 {saves.P90:N1}, p99 {saves.P99:N1}, max {saves.Max:N1}; " +
                      $"mean store write {saves.WriteMsMean:N1} ms, prepare {saves.PrepareMsMean:N1} ms, QR {saves.QrMsMean:N1} ms; pacer lag max {maxLag:N1} ms; failures {failures}; load {saves.Load}");
        log.WriteLine($"(interactive) split: all {split["all"]!.ToJsonString()}; tail ≥ p95 {split["tail_p95"]!.ToJsonString()}; store turns {split["store_turns"]}, waited {split["store_turns_that_waited"]} " +
                      $"for {split["store_turn_wait_ms_total"]} ms in all; GC paused {gcPause:N1} ms");
        return saves;
    }

    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>A patient of the run: their MPI number, signed-in principal and ledger key (the demo's server-held one).</summary>
internal sealed record IngestPatient(string Mpi, ClaimsPrincipal Principal, LedgerKeyPair Key);

/// <summary>
/// The run's population on the started portal: patients made through <see cref="DemoLoad"/> (account, profile, ledger
/// registration), one API client of each facility, the hospital's staff member, and the facilities' node keys.
/// </summary>
internal sealed class IngestWorld
{
    private const string Hospital = "demo-riverside";
    private const string Laboratory = "demo-northgate";
    private long _bundle;
    private readonly HttpClient _http;
    private readonly KestrelPortal _portal;
    private ClaimsPrincipal _staff = null!;
    private string _staffId = "";

    private IngestWorld(KestrelPortal portal)
    {
        _portal = portal;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromMinutes(2),
        };
    }

    public IServiceProvider Services => _portal.Services;
    public List<IngestPatient> Patients { get; } = [];
    public Dictionary<string, string> Tokens { get; } = [];
    private LedgerHost Ledger => Services.GetRequiredService<LedgerHost>();

    public long NextBundle() => Interlocked.Increment(ref _bundle);

    public static async Task<IngestWorld> CreateAsync(KestrelPortal portal, int patients, TextWriter log)
    {
        var world = new IngestWorld(portal);
        var clock = Stopwatch.StartNew();
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
            // The clinic's client too: the timeline stage posts visits there (its patient has records at all three).
            foreach (var facility in new[] { Hospital, Laboratory, "demo-lakeview" })
            {
                var manager = await signIn.CreateUserPrincipalAsync((await users.FindByEmailAsync(DemoData.AccountFor(Roles.FacilityManager, facility).Email))!);
                // A manager's session is a two-factor one, as the sign-in makes it.
                ((ClaimsIdentity)manager.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
                var made = await scope.ServiceProvider.GetRequiredService<FacilityApiClients>().CreateAsync(manager, facility, "Bench system");
                world.Tokens[facility] = made.Value?.Token ?? throw new InvalidOperationException("bench: API client: " + made.Message);
            }
            var staff = (await users.FindByEmailAsync(DemoData.AccountFor(Roles.FacilityStaff, Hospital).Email))!;
            world._staffId = staff.Id;
            world._staff = await signIn.CreateUserPrincipalAsync(staff);
            // A staff session is a two-factor one (the facility portal asks for amr=mfa, as the sign-in sets it).
            ((ClaimsIdentity)world._staff.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
        }
        for (var n = 1; n <= patients; n++)
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var (mpi, key) = await DemoLoad.CreatePatientAsync(scope.ServiceProvider, n);
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync(DemoLoad.EmailOf(n)))!;
            var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user);
            world.Patients.Add(new IngestPatient(mpi, principal, key));
        }
        log.WriteLine($"setup: {patients} patients registered, API clients of {Hospital} and {Laboratory}, in {clock.Elapsed.TotalSeconds:N1} s; ledger at {world.Ledger.Engine.TransactionCount:N0} transactions");
        return world;
    }

    /// <summary>Posts one Bundle over HTTP; null when every entry was created, else what went wrong.</summary>
    public async Task<string?> PostAsync(string token, byte[] json, int entries)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "fhir/r4") { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return $"POST {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}";
        var created = JsonNode.Parse(body)?["entry"]?.AsArray().Count(e => (string?)e?["response"]?["status"] == "201 Created") ?? 0;
        return created == entries ? null : $"POST created {created} of {entries}: {body[..Math.Min(1200, body.Length)]}";
    }

    /// <summary>Each patient confirms everything waiting for them at once, as the confirm page does; in parallel across patients.</summary>
    public async Task<string?> ConfirmAllAsync(IReadOnlyList<IngestPatient> patients)
    {
        var errors = await Task.WhenAll(patients.Select(async patient =>
        {
            await using var scope = Services.CreateAsyncScope();
            var workflow = scope.ServiceProvider.GetRequiredService<AnchorWorkflow>();
            foreach (var waiting in await workflow.WaitingForMeAsync(patient.Principal).ConfigureAwait(false))
            {
                if (await workflow.ToSignAsync(patient.Principal, waiting.Id).ConfigureAwait(false) is not { } toSign) return $"nothing to sign in {waiting.Id}";
                var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, Sign(patient.Key, t.Type, t.Body))).ToList();
                var outcome = await workflow.ConfirmAsync(patient.Principal, waiting.Id, new PatientSigner.BrowserKey(patient.Key.PublicJwk), signatures).ConfigureAwait(false);
                if (outcome.Status != AnchorStatus.Anchored) return $"confirm {waiting.Id}: {outcome.Code} {outcome.Error}";
            }
            return null;
        })).ConfigureAwait(false);
        return errors.FirstOrDefault(e => e is not null);
    }

    /// <summary>The browser's signature: ES256 over the canonical <c>{"body":…,"type":…}</c>.</summary>
    private static string Sign(LedgerKeyPair key, string type, JsonObject body) =>
        Base64Url.Encode(key.Sign(Jcs.CanonicalizeOrThrow(new JsonObject { ["body"] = body.DeepClone(), ["type"] = type })));

    /// <summary>This portal's EHR write gate's counters (how often a store writer waited for another).</summary>
    public WriteGateCounts WriteGateCounts => Services.GetRequiredService<EhrStores>().Writes.Counts;

    /// <summary>One admission form save: store write, prepared confirmation as the staff member, QR PNG. Times in ms.</summary>
    public async Task<(double Write, double Prepare, double Qr)> InteractiveSaveAsync(int n)
    {
        var patient = Patients[n % Patients.Count];
        var start = Stopwatch.GetTimestamp();
        var saved = await Services.GetRequiredService<HospitalRecords>().RecordAdmissionAsync(Hospital, patient.Mpi, BenchStores.Admission(n + 1_000_000), _staffId).ConfigureAwait(false);
        if (saved.Value is not { } records) throw new InvalidOperationException("store write: " + saved.Message);
        var written = Stopwatch.GetTimestamp();
        await using var scope = Services.CreateAsyncScope();
        var prepared = await scope.ServiceProvider.GetRequiredService<AnchorWorkflow>().PrepareAsync(_staff, Hospital, patient.Mpi, records.Records).ConfigureAwait(false);
        if (!prepared.Succeeded) throw new InvalidOperationException("prepare: " + prepared.Error);
        var ready = Stopwatch.GetTimestamp();
        _ = QrCodes.PngDataUri(new Uri(_portal.BaseAddress, "patient/confirm/" + Uri.EscapeDataString(prepared.Confirmation!.Id)).ToString(), 6);
        var shown = Stopwatch.GetTimestamp();
        return (Stopwatch.GetElapsedTime(start, written).TotalMilliseconds, Stopwatch.GetElapsedTime(written, ready).TotalMilliseconds, Stopwatch.GetElapsedTime(ready, shown).TotalMilliseconds);
    }

    public sealed record LedgerOnly(double PerSecond, int Count, double Seconds, double CpuUsPerTx, string Load)
    {
        public JsonObject ToJson() => new()
        {
            ["tx_per_s"] = Math.Round(PerSecond, 1), ["count"] = Count, ["seconds"] = Math.Round(Seconds, 3), ["cpu_us_per_tx"] = Math.Round(CpuUsPerTx, 1), ["loadavg"] = Load,
        };
    }

    /// <summary>
    /// The portal's own ledger without the portal: <paramref name="count"/> record.anchors, half the hospital's, half
    /// the laboratory's, signed by the facility's node key and then the patient's beforehand, submitted by 2,000
    /// closed-loop submitters; rate = count ÷ the time from the first submission to the last receipt.
    /// </summary>
    public async Task<LedgerOnly> LedgerOnlyAsync(int count, TextWriter log, string label)
    {
        var keys = new[] { Hospital, Laboratory }.Select(f => Ledger.Keys.Find(ServerKeyVault.FacilityNode(f)) ?? throw new InvalidOperationException("no node key of " + f)).ToArray();
        var factory = new HealthPortal.Ledger.Transactions.TransactionFactory();
        var salt = Guid.NewGuid().ToString("N")[..8];
        var wire = new byte[count][];
        Parallel.For(0, count, i =>
        {
            var lab = i % 2 == 1;
            var facility = keys[lab ? 1 : 0];
            var patient = Patients[i % Patients.Count];
            var record = $"{(lab ? "lab" : "adm")}-bench-{salt}-{i:D7}";
            var hash = Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(record)));
            var date = new DateOnly(2024, 1, 1).AddDays(i % 365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var tx = factory.RecordAnchor(patient.Mpi, facility.Id, record, lab ? "lab" : "encounter", date, hash, $"{(lab ? "DiagnosticReport" : "Encounter")}/{record}")
                .SignWith(facility).SignWith(patient.Key);
            wire[i] = Encoding.UTF8.GetBytes(tx.ToJsonString());
        });
        var engine = Ledger.Engine;
        var next = -1;
        var refused = 0;
        string? firstRefusal = null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(2_000, count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                while (true)
                {
                    var answer = await engine.SubmitAsync(wire[i]).ConfigureAwait(false);
                    if (answer.IsCommitted) break;
                    if (answer.Error == LedgerError.Busy)
                    {
                        await Task.Delay(1).ConfigureAwait(false);
                        continue;
                    }
                    Interlocked.Increment(ref refused);
                    Interlocked.CompareExchange(ref firstRefusal, answer.ToString(), null);
                    break;
                }
            }
        }))).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count;
        if (refused > 0) throw new InvalidOperationException($"bench: the ledger refused {refused} pre-signed anchors: {firstRefusal}");
        var result = new LedgerOnly(count / seconds, count, seconds, cpuUs, IngestBench.LoadAverage());
        log.WriteLine($"({label}) {result.PerSecond:N0} tx/s ({count:N0} anchors in {seconds:N2} s, {cpuUs:N0} µs CPU each); ledger at {engine.TransactionCount:N0}; load {result.Load}");
        return result;
    }
}

/// <summary>
/// The portal (its own <c>Program</c>, every service, demo seeding) on Kestrel at 127.0.0.1 on a free port, with a fresh
/// data folder deleted afterwards; proof of work lowered in the genesis so patients register fast (it is not measured).
/// </summary>
internal sealed class KestrelPortal : IAsyncDisposable
{
    private readonly Factory _factory;
    private readonly string _folder;

    private KestrelPortal(Factory factory, string folder) => (_factory, _folder) = (factory, folder);

    public IServiceProvider Services => _factory.Services;
    public Uri BaseAddress { get; private set; } = null!;

    /// <param name="extra">Settings over the defaults (the <c>everything</c> stage lifts the interop rate limit).</param>
    public static async Task<KestrelPortal> StartAsync(TextWriter log, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var folder = Directory.CreateTempSubdirectory("hp-bench-ingest-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["HealthPortal:DataFolder"] = folder,
            ["HealthPortal:KeyRing:KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Ledger:Genesis:FacilityPowDifficultyBits"] = "8",
            ["Ledger:Genesis:PatientPowDifficultyBits"] = "8",
            ["ConnectionStrings:DefaultConnection"] = $"Data Source={Path.Combine(folder, "identity.db")}",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var factory = new Factory(builder =>
        {
            // Development: static web assets come from the build output (the portal is not published here). It changes
            // no code path measured (no developer exception page is hit when nothing fails).
            builder.UseEnvironment("Development");
            builder.UseContentRoot(AppContext.BaseDirectory);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        });
        factory.UseKestrel(0);
        var clock = Stopwatch.StartNew();
        await Task.Run(factory.StartServer);
        var portal = new KestrelPortal(factory, folder) { BaseAddress = new Uri($"http://127.0.0.1:{factory.ClientOptions.BaseAddress.Port}/") };
        // The demo consortium is seeded at start; wait until both facilities' node keys are approved on the ledger.
        var ledger = portal.Services.GetRequiredService<LedgerHost>();
        while (new[] { "demo-riverside", "demo-northgate", "demo-lakeview" }.Any(f => ledger.Keys.Find(ServerKeyVault.FacilityNode(f)) is not { } key
                   || ledger.Reader.Node(key.Id)?.Status != NodeStatus.Approved))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException("bench: the demo facilities were not approved on the ledger within 3 minutes");
            await Task.Delay(200);
        }
        log.WriteLine($"portal on {portal.BaseAddress} (Kestrel, data {folder}) ready in {clock.Elapsed.TotalSeconds:N1} s");
        return portal;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private sealed class Factory(Action<IWebHostBuilder> configure) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => configure(builder);
    }
}
