using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Keys;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>confirm-cost</c> stage (issue 17): where a patient's confirmation of ingested records spends its CPU, per
/// record. The portal on Kestrel as in <c>ingest</c>; the hospital's system posts Bundles of <c>--bundle</c> records
/// (10 patients × 10), then each patient confirms alone, one after another, nothing else running, with the process CPU
/// (and its split by thread group) taken around each call the confirm page makes:
/// <see cref="AnchorWorkflow.WaitingForMeAsync"/>, <see cref="AnchorWorkflow.ToSignAsync"/>, the browser's signatures
/// (the bench is the browser), <see cref="AnchorWorkflow.ConfirmAsync"/>. Inside the confirmation, the items the
/// workflow repeats per record are timed on the thread's own clock over the same rows: parsing a stored anchor,
/// canonicalizing a body (the check that the signed body is the stored one, twice per record), verifying the patient's
/// signature; the ledger's own share is the ledger-only CPU per transaction of the same run. The POST of each Bundle is
/// measured too: its process CPU, and the items it repeats per record (<see cref="PostItems"/>).
/// </summary>
internal static class ConfirmCost
{
    private const string Usage = "usage: HealthPortal.Bench confirm-cost [--bundles N (5)] [--bundle N records (100)] [--out FILE.json]";
    private const string Hospital = "demo-riverside";

    public static async Task<int> RunAsync(string[] args)
    {
        int bundles = 5, bundle = 100;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            bool Int(out int v) { v = 0; return i + 1 < args.Length && int.TryParse(args[++i], out v) && v > 0; }
            if (args[i] == "--bundles" && Int(out var b)) bundles = b;
            else if (args[i] == "--bundle" && Int(out var n) && n % 10 == 0 && n <= 1000) bundle = n;
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
        log.WriteLine($"confirm-cost: {Environment.ProcessorCount} cores, load {loadStart}; {bundles} Bundles of {bundle} records, each patient confirming alone");
        await using var portal = await KestrelPortal.StartAsync(log);
        var world = await IngestWorld.CreateAsync(portal, patients: bundle / 10, log);
        var services = world.Services;

        // Warm-up: one Bundle through the whole path, and a ledger-only burst.
        var post = await world.PostAsync(world.Tokens[Hospital], IngestBench.HospitalBundle(world.Patients, world.NextBundle(), 10), bundle)
                   ?? await world.ConfirmAllAsync(world.Patients);
        if (post is not null) throw new InvalidOperationException("bench: warm-up: " + post);
        await world.LedgerOnlyAsync(2_000, log, "ledger-only warm-up");
        var ledger = await world.LedgerOnlyAsync(10_000, log, "ledger-only");

        var calls = new[] { "waiting_for_me", "to_sign", "browser_sign", "confirm" };
        var cpu = calls.ToDictionary(c => c, _ => 0.0);
        var wall = calls.ToDictionary(c => c, _ => 0.0);
        var confirmThreads = new Dictionary<string, double>(StringComparer.Ordinal);
        double parseNs = 0, canonicalNs = 0, verifyNs = 0;
        var keys = new PublicKeyCache(100);
        long records = 0, micro = 0;
        // The POST's CPU (server and HTTP client) around each Bundle, and its per-record items on the thread's clock.
        var postCpuMs = 0.0;
        var postItems = new PostItems();
        // Per Bundle, so that a longer run shows whether the JIT's share falls as the confirmation path warms up.
        var perBundle = new JsonArray();
        using var jitWatch = new JitWatch();
        jitWatch.Start();
        for (var b = 0; b < bundles; b++)
        {
            var (recordsBefore, confirmBefore) = (records, cpu["confirm"]);
            var threadsBefore = new Dictionary<string, double>(confirmThreads);
            var posted = IngestBench.HospitalBundle(world.Patients, world.NextBundle(), 10);
            var postCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var error = await world.PostAsync(world.Tokens[Hospital], posted, bundle);
            postCpuMs += (Process.GetCurrentProcess().TotalProcessorTime - postCpu).TotalMilliseconds;
            if (error is not null) throw new InvalidOperationException("bench: " + error);
            postItems.Measure(services, Hospital, posted);
            foreach (var patient in world.Patients)
            {
                await using var scope = services.CreateAsyncScope();
                var workflow = scope.ServiceProvider.GetRequiredService<AnchorWorkflow>();
                async Task<T> Timed<T>(string call, Func<Task<T>> work, Dictionary<string, double>? threads = null)
                {
                    var before = threads is null ? null : ThreadCpu.SnapshotByName();
                    var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var t0 = Stopwatch.GetTimestamp();
                    var value = await work();
                    wall[call] += Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    cpu[call] += (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds;
                    if (threads is not null)
                        foreach (var (group, seconds) in ThreadCpu.Difference(ThreadCpu.SnapshotByName(), before!).Where(t => t.Value > 0)) threads[group] = threads.GetValueOrDefault(group) + seconds * 1000;
                    return value;
                }
                var waiting = await Timed("waiting_for_me", () => workflow.WaitingForMeAsync(patient.Principal));
                foreach (var confirmation in waiting)
                {
                    var toSign = await Timed("to_sign", () => workflow.ToSignAsync(patient.Principal, confirmation.Id)) ?? throw new InvalidOperationException("bench: nothing to sign");
                    var signatures = await Timed("browser_sign", () => Task.FromResult(toSign.Select(t => new PatientSignature(t.TransactionId, t.Body,
                        Base64Url.Encode(patient.Key.Sign(Jcs.CanonicalizeOrThrow(new JsonObject { ["body"] = t.Body.DeepClone(), ["type"] = t.Type }))))).ToList()));
                    var outcome = await Timed("confirm", () => workflow.ConfirmAsync(patient.Principal, confirmation.Id, new PatientSigner.BrowserKey(patient.Key.PublicJwk), signatures), confirmThreads);
                    if (outcome.Status != AnchorStatus.Anchored) throw new InvalidOperationException($"bench: confirm {outcome.Code} {outcome.Error}");
                    records += toSign.Count;

                    // The per-record items of the confirmation, on this thread's clock, over the same anchors.
                    foreach (var (anchor, signature) in toSign.Zip(signatures))
                    {
                        var json = Transaction.Create(anchor.Type, anchor.Body).ValueOrThrow().ToJsonString();
                        var n0 = ThreadCpu.CurrentThreadNanoseconds();
                        var parsed = TransactionCodec.Parse(json).ValueOrThrow();
                        var n1 = ThreadCpu.CurrentThreadNanoseconds();
                        _ = Jcs.Canonicalize(signature.Body);
                        _ = Jcs.Canonicalize(parsed.Body);
                        var n2 = ThreadCpu.CurrentThreadNanoseconds();
                        var bytes = Jcs.CanonicalizeOrThrow(new JsonObject { ["body"] = parsed.Body.DeepClone(), ["type"] = parsed.Type });
                        if (!keys.Verify(patient.Key.PublicJwk, bytes, Base64Url.Decode(signature.Signature))) throw new InvalidOperationException("bench: signature");
                        var n3 = ThreadCpu.CurrentThreadNanoseconds();
                        parseNs += n1 - n0;
                        canonicalNs += n2 - n1;
                        verifyNs += n3 - n2;
                        micro++;
                    }
                }
            }
            var bundleRecords = records - recordsBefore;
            var jit = confirmThreads.Where(t => t.Key.Contains("Tiered", StringComparison.Ordinal)).Sum(t => t.Value - threadsBefore.GetValueOrDefault(t.Key));
            var confirmUs = (cpu["confirm"] - confirmBefore) * 1000 / bundleRecords;
            var jitUs = jit * 1000 / bundleRecords;
            perBundle.Add(new JsonObject { ["bundle"] = b + 1, ["confirm_cpu_us_per_record"] = Math.Round(confirmUs, 1), ["tiered_jit_cpu_us_per_record"] = Math.Round(jitUs, 1) });
            log.WriteLine($"bundle {b + 1}: confirm {confirmUs:N0} µs CPU per record, of which the tiered JIT {jitUs:N0} µs");
        }

        jitWatch.Stop();
        foreach (var line in jitWatch.Report(40)) log.WriteLine(line);
        var per = new JsonObject();
        foreach (var call in calls)
        {
            per[call] = new JsonObject { ["cpu_us_per_record"] = Math.Round(cpu[call] * 1000 / records, 1), ["wall_us_per_record"] = Math.Round(wall[call] * 1000 / records, 1) };
            log.WriteLine($"{call}: {cpu[call] * 1000 / records:N0} µs CPU, {wall[call] * 1000 / records:N0} µs wall per record");
        }
        var items = new JsonObject
        {
            ["parse_stored_anchor_us"] = Math.Round(parseNs / micro / 1000, 1),
            ["canonicalize_signed_and_stored_body_us"] = Math.Round(canonicalNs / micro / 1000, 1),
            ["verify_patient_signature_us"] = Math.Round(verifyNs / micro / 1000, 1),
            ["ledger_only_cpu_us_per_tx"] = Math.Round(ledger.CpuUsPerTx, 1),
        };
        log.WriteLine($"per record, thread CPU: parse a stored anchor {parseNs / micro / 1000:N1} µs, canonicalize the signed and the stored body {canonicalNs / micro / 1000:N1} µs, " +
                      $"verify the patient's signature {verifyNs / micro / 1000:N1} µs (cached key); ledger-only {ledger.CpuUsPerTx:N0} µs CPU per tx");
        log.WriteLine($"POST: {postCpuMs * 1000 / records:N0} µs CPU per record; its items per record, thread CPU: {postItems}");
        log.WriteLine($"confirm, CPU per record by thread (name): {string.Join(", ", confirmThreads.Select(t => $"{t.Key} {t.Value * 1000 / records:N0} µs"))}");
        var result = new JsonObject
        {
            ["stage"] = "confirm-cost", ["per_bundle"] = perBundle, ["bundles"] = bundles, ["bundle"] = bundle, ["records"] = records, ["processors"] = Environment.ProcessorCount,
            ["runtime"] = Environment.Version.ToString(), ["started"] = started.ToString("O", CultureInfo.InvariantCulture), ["loadavg_start"] = loadStart,
            ["calls"] = per, ["items"] = items,
            ["post"] = new JsonObject { ["cpu_us_per_record"] = Math.Round(postCpuMs * 1000 / records, 1), ["items"] = postItems.ToJson() },
            ["confirm_cpu_us_per_record_by_thread"] = new JsonObject([.. confirmThreads.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)Math.Round(t.Value * 1000 / records, 1)))]),
            ["ledger_only"] = ledger.ToJson(), ["loadavg_end"] = IngestBench.LoadAverage(),
        };
        if (output is not null) await File.WriteAllTextAsync(output, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
