using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>everything</c> stage (issue 17): <c>GET /fhir/r4/Patient/{mpi}/$everything</c> under load. The whole portal
/// on Kestrel (loopback, a fresh demo data folder); one patient with <c>--records</c> records (half Encounters posted
/// by the hospital's system, half lab results by the laboratory's, all co-signed by the patient and committed), a grant
/// of that patient to the clinic (every kind, purpose treatment), and <c>--clients</c> closed-loop interop clients
/// signing each request as the clinic's node key with a staff pseudonym (<see cref="InteropSignature.Sign"/>, the
/// request every node sends). Each answer is read whole; a request counts when it is 200 with every record served.
/// Ledger-only tx/s of the same portal's ledger before and after (<see cref="IngestWorld.LedgerOnlyAsync"/>);
/// <c>interop_ratio</c> = records served per second ÷ that rate. After the run, the clinic's <c>access.log</c>s of the
/// patient on the ledger must number exactly the 200 answers (the reader commits the log before it fetches anything).
/// </summary>
internal static class EverythingBench
{
    private const string Usage = "usage: HealthPortal.Bench everything [--rounds R requests per client (4)] [--clients C (50)] [--records N (200, even)] [--ledger-anchors N (20000)] [--out FILE.json]";
    private const string Hospital = "demo-riverside";
    private const string Laboratory = "demo-northgate";
    private const string Requester = "demo-lakeview";

    public static async Task<int> RunAsync(string[] args)
    {
        int rounds = 4, clients = 50, records = 200, ledgerAnchors = 20_000;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            bool Int(out int v) { v = 0; return i + 1 < args.Length && int.TryParse(args[++i], out v) && v > 0; }
            if (args[i] == "--rounds" && Int(out var s)) rounds = s;
            else if (args[i] == "--clients" && Int(out var c)) clients = c;
            else if (args[i] == "--records" && Int(out var r) && r % 2 == 0 && r <= 2_000) records = r;
            else if (args[i] == "--ledger-anchors" && Int(out var l)) ledgerAnchors = l;
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        var log = Console.Out;
        var started = DateTimeOffset.UtcNow;
        var loadStart = IngestBench.LoadAverage();
        log.WriteLine($"everything: {Environment.ProcessorCount} cores, load {loadStart}; a patient with {records} records, {clients} signed clients × {rounds} requests");

        // The interop API allows 600 requests a minute per facility by default (RateLimits:Interop); the stage measures
        // the server, not that limit, so the clinic's window is lifted for this run.
        await using var portal = await KestrelPortal.StartAsync(log, new Dictionary<string, string?>
        {
            ["HealthPortal:RateLimits:Interop:PermitLimit"] = "10000000",
            ["HealthPortal:RateLimits:Interop:WindowSeconds"] = "1",
        });
        // Patients besides the subject sign the ledger-only anchors (IngestWorld's population, one Bundle's worth).
        var world = await IngestWorld.CreateAsync(portal, patients: 11, log);
        var services = world.Services;
        var ledger = services.GetRequiredService<LedgerHost>();
        // The subject is taken out of the population, so the ledger-only anchors never name them.
        var subject = world.Patients[0];
        world.Patients.RemoveAt(0);

        var setup = Stopwatch.StartNew();
        var half = records / 2;
        foreach (var (facility, json) in new[]
                 {
                     (Hospital, IngestBench.HospitalBundle([subject], 1, half)),
                     (Laboratory, IngestBench.LabBundle([subject], 2, half)),
                 })
        {
            var error = await world.PostAsync(world.Tokens[facility], json, half) ?? await world.ConfirmAllAsync([subject]);
            if (error is not null) throw new InvalidOperationException($"bench: the records of {facility}: {error}");
        }
        var clinic = ledger.Keys.Find(ServerKeyVault.FacilityNode(Requester)) ?? throw new InvalidOperationException("no node key of " + Requester);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var grant = await ledger.Engine.SubmitAsync(new TransactionFactory()
            .GrantIssue(subject.Mpi, clinic.Id, RecordKinds.All, Purposes.Treatment, now - 60_000, now + 86_400_000).SignWith(subject.Key));
        if (!grant.IsCommitted) throw new InvalidOperationException("bench: the grant was refused: " + grant);
        var anchors = ledger.Reader.RecordsOf(subject.Mpi);
        if (anchors.Count != records) throw new InvalidOperationException($"bench: {anchors.Count} anchors of the patient, {records} expected");
        string staff;
        await using (var scope = services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(DemoData.AccountFor(Roles.FacilityStaff, Requester).Email)
                       ?? throw new InvalidOperationException("no staff account at " + Requester);
            staff = scope.ServiceProvider.GetRequiredService<StaffPseudonyms>().Of(user.Id);
        }
        log.WriteLine($"setup: {records} records anchored and shared with {Requester} in {setup.Elapsed.TotalSeconds:N1} s; ledger at {ledger.Engine.TransactionCount:N0} transactions");

        var target = $"/fhir/r4/Patient/{subject.Mpi}/$everything";
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 8, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromMinutes(2),
        };
        var answered = 0L;

        // One read through the portal's own remote transport, every resource hashed against its anchor: what the load
        // below counts is the right answer, not just 200 entries.
        var check = await new HttpInteropTransport(http).SendAsync(InteropSignature.Sign(clinic, "GET", target, staff, Purposes.Treatment, null, TimeProvider.System));
        answered++;
        if (check is not { Status: 200, Resource: Bundle checkBundle }) throw new InvalidOperationException($"bench: $everything answered {check.Status}");
        var byTx = anchors.ToDictionary(a => a.TxId);
        var wrong = checkBundle.Entry.Count(e => e.Resource is null
            || e.GetExtension(InteropFhir.AnchorExtension)?.GetExtensionValue<FhirString>("anchorTx")?.Value is not { } tx
            || !byTx.TryGetValue(tx, out var anchor) || RecordHash.Of(e.Resource) != anchor.Hash);
        if (checkBundle.Entry.Count != records || wrong > 0) throw new InvalidOperationException($"bench: $everything served {checkBundle.Entry.Count} entries, {wrong} not matching their anchors");
        log.WriteLine($"check: one $everything over HTTP served all {records} records, each hashing to its anchor");

        var result = new JsonObject
        {
            ["stage"] = "everything", ["records"] = records, ["clients"] = clients, ["rounds"] = rounds,
            ["processors"] = Environment.ProcessorCount, ["runtime"] = Environment.Version.ToString(),
            ["configuration"] = typeof(EverythingBench).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
                .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "",
            ["started"] = started.ToString("O", CultureInfo.InvariantCulture), ["loadavg_start"] = loadStart,
        };

        await world.LedgerOnlyAsync(Math.Min(2_000, ledgerAnchors), log, "ledger-only warm-up");
        var parts = await ProfileAsync(services, http, clinic, staff, subject.Mpi, target, anchors, log);
        answered += parts.Answered;
        result["parts"] = parts.Json;
        var warm = await WindowAsync(http, clinic, staff, target, clients, records, 1, log, "warm-up");
        answered += warm.Answered;
        var ledgerBefore = await world.LedgerOnlyAsync(ledgerAnchors, log, "ledger-only before");
        var window = await WindowAsync(http, clinic, staff, target, clients, records, rounds, log, "everything");
        answered += window.Answered;
        var ledgerAfter = await world.LedgerOnlyAsync(ledgerAnchors, log, "ledger-only after");
        var ledgerRate = (ledgerBefore.PerSecond + ledgerAfter.PerSecond) / 2;
        var ratio = window.RecordsPerSecond / ledgerRate;

        // Every answered read was logged on the ledger before its records were fetched: exactly one access.log each.
        var logs = ledger.Reader.AccessesOf(subject.Mpi).Count(a => a.Facility == clinic.Id);
        var logsMatch = logs == answered;
        log.WriteLine($"access.log of {Requester} for the patient on the ledger: {logs:N0}; 200 answers: {answered:N0} ({(logsMatch ? "equal" : "NOT EQUAL")})");
        log.WriteLine($"ledger-only {ledgerRate:N0} tx/s (before {ledgerBefore.PerSecond:N0}, after {ledgerAfter.PerSecond:N0})");
        log.WriteLine($"$everything: {window.RequestsPerSecond:N1} requests/s, p50 {window.P50:N0} ms, p99 {window.P99:N0} ms; {window.RecordsPerSecond:N0} records/s; interop_ratio {ratio:N3}");

        result["ledger_only"] = new JsonObject
        {
            ["tx_per_s"] = Math.Round(ledgerRate, 1), ["before"] = ledgerBefore.ToJson(), ["after"] = ledgerAfter.ToJson(),
            ["cpu_us_per_tx"] = Math.Round((ledgerBefore.CpuUsPerTx + ledgerAfter.CpuUsPerTx) / 2, 1),
        };
        result["warm_up"] = warm.ToJson();
        result["everything"] = window.ToJson();
        result["interop_ratio"] = Math.Round(ratio, 3);
        result["access_logs_on_ledger"] = logs;
        result["answers_200"] = answered;
        result["access_logs_match"] = logsMatch;
        result["loadavg_end"] = IngestBench.LoadAverage();
        if (output is not null) await File.WriteAllTextAsync(output, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return logsMatch && window.Failures + warm.Failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Where one request's time goes, measured one request at a time (nothing else running): each anchor verified as the
    /// reader does (fetch from the store, FHIR mapping, hash), the reader's whole read (policy, the access.log committed,
    /// the verifications), the answer's Bundle and JSON, the handler (signature check and all), and the HTTP round trip.
    /// Wall and process CPU per request, mean of <paramref name="rounds"/>.
    /// </summary>
    private static async Task<(JsonObject Json, long Answered)> ProfileAsync(IServiceProvider services, HttpClient http, HealthPortal.Ledger.Crypto.LedgerKeyPair clinic,
        string staff, string mpi, string target, IReadOnlyList<HealthPortal.Ledger.State.RecordEntry> anchors, TextWriter log, int rounds = 5)
    {
        var verifier = services.GetRequiredService<RecordVerifier>();
        var reader = services.GetRequiredService<InteropReader>();
        var handler = services.GetRequiredService<InteropHandler>();
        var caller = new InteropCaller(clinic.Id, staff, Purposes.Treatment);
        long answered = 0;
        InteropRead? read = null;
        var parts = new (string Name, Func<Task> Work)[]
        {
            // The read path before batching (one store opening per record) and the one the reader now takes, same anchors.
            ("verify_one_by_one", async () => { foreach (var a in anchors) await verifier.VerifyAsync(a); }),
            ("verify_batched", async () => { await verifier.VerifyManyAsync(anchors); }),
            ("grants_and_state", () =>
            {
                var grants = services.GetRequiredService<HealthPortal.Features.Grants.ActiveGrants>().ActiveAt(mpi, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                _ = services.GetRequiredService<LedgerHost>().Reader.RecordsOf(mpi);
                _ = services.GetRequiredService<LedgerHost>().Reader.RetractionsOf(mpi);
                return Task.CompletedTask;
            }),
            ("access_log_commit", async () =>
            {
                var tx = new TransactionFactory().AccessLog(clinic.Id, staff, mpi, anchors.Select(a => a.Facility + "/" + a.RecordId),
                    services.GetRequiredService<HealthPortal.Features.Grants.ActiveGrants>().ActiveAt(mpi, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())[0].Id, null, Purposes.Treatment).SignWith(clinic);
                var committed = await services.GetRequiredService<LedgerHost>().Engine.SubmitAsync(tx);
                if (!committed.IsCommitted) throw new InvalidOperationException("bench: access.log refused: " + committed);
                answered++;
            }),
            ("reader_everything", async () => { read = await reader.EverythingAsync(caller, mpi); answered++; }),
            ("bundle_and_json", () => { _ = InteropFhir.Serialize(InteropFhir.Everything(read!, "http://127.0.0.1/fhir/r4")); return Task.CompletedTask; }),
            ("handler", async () => { var r = await handler.HandleAsync(InteropSignature.Sign(clinic, "GET", target, staff, Purposes.Treatment, null, TimeProvider.System)); answered++; _ = InteropFhir.Serialize(r.Resource); }),
            ("http_round_trip", async () =>
            {
                var signed = InteropSignature.Sign(clinic, "GET", target, staff, Purposes.Treatment, null, TimeProvider.System);
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                foreach (var (name, value) in signed.Headers) request.Headers.TryAddWithoutValidation(name, value);
                using var response = await http.SendAsync(request);
                _ = await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode) answered++;
            }),
        };
        var json = new JsonObject { ["rounds"] = rounds, ["note"] = "one request at a time; wall and process CPU ms per request (mean)" };
        foreach (var (name, work) in parts)
        {
            await work();
            var threads = ThreadCpu.Snapshot();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var paused = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();
            for (var r = 0; r < rounds; r++) await work();
            var wall = clock.Elapsed.TotalMilliseconds / rounds;
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
            var kb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / rounds;
            var pauseMs = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds / rounds;
            var byThread = ThreadCpu.Difference(ThreadCpu.Snapshot(), threads).Where(t => t.Value > 0).ToDictionary(t => t.Key, t => Math.Round(t.Value * 1000 / rounds, 1));
            json[name] = new JsonObject
            {
                ["wall_ms"] = Math.Round(wall, 1), ["cpu_ms"] = Math.Round(cpuMs, 1), ["allocated_kb"] = Math.Round(kb, 0), ["gc_pause_ms"] = Math.Round(pauseMs, 1),
                ["cpu_ms_by_thread"] = new JsonObject([.. byThread.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))]),
            };
            log.WriteLine($"(parts) {name}: {wall:N1} ms wall, {cpuMs:N1} ms CPU, {kb:N0} KB allocated, GC paused {pauseMs:N1} ms per request; CPU ms by thread: {string.Join(", ", byThread.Select(t => $"{t.Key} {t.Value}"))}");
        }
        return (json, answered);
    }

    private sealed record Window(string Label, double RequestsPerSecond, double RecordsPerSecond, long Requests, double P50, double P90, double P99, double Max,
        double CpuMsPerRequest, double AllocatedKbPerRequest, long Answered, int Failures, string FirstFailure, string Load)
    {
        // A window in which no request finished has no percentiles: null, not NaN (which JSON cannot carry).
        private static JsonNode? Ms(double v) => double.IsFinite(v) ? Math.Round(v, 1) : null;

        public JsonObject ToJson() => new()
        {
            ["requests_per_s"] = Math.Round(RequestsPerSecond, 2), ["records_per_s"] = Math.Round(RecordsPerSecond, 1), ["requests"] = Requests,
            ["p50_ms"] = Ms(P50), ["p90_ms"] = Ms(P90), ["p99_ms"] = Ms(P99), ["max_ms"] = Ms(Max),
            ["process_cpu_ms_per_request"] = Math.Round(CpuMsPerRequest, 2), ["allocated_kb_per_request"] = Math.Round(AllocatedKbPerRequest, 1),
            ["answered_200"] = Answered, ["failures"] = Failures, ["first_failure"] = FirstFailure, ["loadavg"] = Load,
        };
    }

    /// <summary>
    /// Closed loop, fixed work: <paramref name="clients"/> clients each make <paramref name="rounds"/> requests one after
    /// another (sign, send, read the answer whole, count the records served). Rate = requests ÷ the time from the first
    /// request to the last answer, so a machine too loaded for a time window still gives a figure; latency is each
    /// request's, process CPU and allocation are over the whole run.
    /// </summary>
    private static async Task<Window> WindowAsync(HttpClient http, HealthPortal.Ledger.Crypto.LedgerKeyPair clinic, string staff, string target, int clients, int records,
        int rounds, TextWriter log, string label)
    {
        long requests = 0, served = 0, answered = 0;
        var failures = 0;
        string? firstFailure = null;
        var latencies = new ConcurrentBag<double>();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var signed = InteropSignature.Sign(clinic, "GET", target, staff, Purposes.Treatment, null, TimeProvider.System);
                var begun = Stopwatch.GetTimestamp();
                string? error = null;
                var count = 0;
                using (var request = new HttpRequestMessage(HttpMethod.Get, target))
                {
                    foreach (var (name, value) in signed.Headers) request.Headers.TryAddWithoutValidation(name, value);
                    try
                    {
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                        using var json = await JsonDocument.ParseAsync(body).ConfigureAwait(false);
                        if (response.StatusCode != System.Net.HttpStatusCode.OK) error = $"{(int)response.StatusCode}: {json.RootElement.GetRawText()[..Math.Min(300, json.RootElement.GetRawText().Length)]}";
                        else
                        {
                            Interlocked.Increment(ref answered);
                            if (json.RootElement.TryGetProperty("entry", out var entries))
                                foreach (var entry in entries.EnumerateArray())
                                    if (entry.TryGetProperty("resource", out _)) count++;
                            if (count != records) error = $"{count} of {records} records served";
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
                    {
                        error = e.GetType().Name + ": " + e.Message;
                    }
                }
                if (error is not null)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, error, null);
                    continue;
                }
                Interlocked.Increment(ref requests);
                Interlocked.Add(ref served, count);
                latencies.Add(Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var window = clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var allocated = GC.GetTotalAllocatedBytes() - alloc0;

        var sorted = latencies.Order().ToArray();
        var n = Math.Max(1, requests);
        var result = new Window(label, requests / window.TotalSeconds, served / window.TotalSeconds, requests,
            IngestBench.Percentile(sorted, 0.50), IngestBench.Percentile(sorted, 0.90), IngestBench.Percentile(sorted, 0.99), sorted.DefaultIfEmpty(double.NaN).Max(),
            cpu.TotalMilliseconds / n, allocated / 1024.0 / n, answered, failures, firstFailure ?? "none", IngestBench.LoadAverage());
        log.WriteLine($"({label}) {result.RequestsPerSecond:N1} requests/s ({requests:N0} in {window.TotalSeconds:N1} s), {result.RecordsPerSecond:N0} records/s; " +
                      $"p50 {result.P50:N0} ms, p90 {result.P90:N0}, p99 {result.P99:N0}, max {result.Max:N0}; {result.CpuMsPerRequest:N1} ms process CPU and " +
                      $"{result.AllocatedKbPerRequest:N0} KB allocated per request (client included); failures {failures}{(firstFailure is null ? "" : ": " + firstFailure)}; load {result.Load}");
        return result;
    }
}
