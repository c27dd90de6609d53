using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Features.Anchoring;
using HealthPortal.Ledger;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>confirmations</c> stage (issue 17): N patients confirm N different saves at the same moment. Each
/// confirmation holds its lock across what <see cref="AnchorWorkflow.ConfirmAsync"/> holds it across: submitting the
/// save's co-signed anchors together and waiting for their receipts (the block commit). Measured twice in one run on
/// one ledger: first behind one node-wide semaphore (the workflow before issue 17, the serialized baseline), then
/// behind the workflow's per-confirmation <see cref="KeyedLock"/>. <c>lock_ratio</c> = keyed rate ÷ serialized rate.
/// The database reads and writes around the submit are left out on purpose: they are the same in both runs and
/// would only dilute what the lock changes (every confirmation waiting for every other one's block).
/// </summary>
internal static class ConfirmationLock
{
    private const string Usage = "usage: HealthPortal.Bench confirmations [--confirmations N (default 200)] [--records R per save (default 3)] [--patients N (default 500)] [--out FILE.json]";

    public static async Task<int> RunAsync(string[] args)
    {
        int confirmations = 200, records = 3, patients = 500;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--confirmations" && i + 1 < args.Length && int.TryParse(args[++i], out var c) && c >= 2) confirmations = c;
            else if (args[i] == "--records" && i + 1 < args.Length && int.TryParse(args[++i], out var r) && r >= 1) records = r;
            else if (args[i] == "--patients" && i + 1 < args.Length && int.TryParse(args[++i], out var p) && p >= 2) patients = p;
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        var log = Console.Out;
        var folder = Directory.CreateTempSubdirectory("hp-bench-confirm-").FullName;
        try
        {
            await using var world = await BenchPopulation.CreateAsync(folder, 2, 1, patients, confirmations, log).ConfigureAwait(false);
            // A short warm-up window so JIT and the first blocks are not charged to the serialized run.
            await WindowAsync(world, Math.Min(20, confirmations), records, serialized: false, log, "warm-up").ConfigureAwait(false);
            var serialized = await WindowAsync(world, confirmations, records, serialized: true, log, "serialized (one node-wide semaphore)").ConfigureAwait(false);
            var keyed = await WindowAsync(world, confirmations, records, serialized: false, log, "per confirmation (KeyedLock)").ConfigureAwait(false);
            var ratio = keyed.PerSecond / serialized.PerSecond;
            log.WriteLine($"lock_ratio {ratio:N1} (per-confirmation {keyed.PerSecond:N1}/s ÷ serialized {serialized.PerSecond:N1}/s; {confirmations} confirmations of {records} records at once)");
            if (output is not null)
            {
                var json = new JsonObject
                {
                    ["confirmations"] = confirmations, ["records_per_confirmation"] = records,
                    ["serialized"] = serialized.ToJson(), ["keyed"] = keyed.ToJson(), ["lock_ratio"] = Math.Round(ratio, 2),
                    ["processors"] = Environment.ProcessorCount, ["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                };
                await File.WriteAllTextAsync(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            return serialized.Refused + keyed.Refused == 0 ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Window(int Confirmations, double Seconds, double PerSecond, double P50Ms, double P99Ms, int Refused, long Blocks)
    {
        public JsonObject ToJson() => new()
        {
            ["confirmations_per_s"] = Math.Round(PerSecond, 1), ["seconds"] = Math.Round(Seconds, 3), ["p50_ms"] = Math.Round(P50Ms, 1),
            ["p99_ms"] = Math.Round(P99Ms, 1), ["refused"] = Refused, ["blocks"] = Blocks,
        };
    }

    private static async Task<Window> WindowAsync(BenchPopulation world, int confirmations, int records, bool serialized, TextWriter log, string label)
    {
        var wire = world.BuildAnchors(world.Hospitals, "encounter", confirmations * records, label.GetHashCode(StringComparison.Ordinal));
        var global = new SemaphoreSlim(1, 1);
        var keyed = new KeyedLock();
        var latencies = new double[confirmations];
        var refused = 0;
        var height = world.Engine.Height;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, confirmations).Select(c => Task.Run(async () =>
        {
            var begun = Stopwatch.GetTimestamp();
            var id = $"anc-bench-{c}";
            if (serialized) await global.WaitAsync().ConfigureAwait(false);
            var turn = serialized ? default : await keyed.AcquireAsync(id).ConfigureAwait(false);
            try
            {
                // As ConfirmAsync: the save's anchors together, so they usually land in one block.
                var answers = await Task.WhenAll(Enumerable.Range(0, records).Select(r => world.Engine.SubmitAsync(wire[c * records + r]).AsTask())).ConfigureAwait(false);
                if (answers.Any(a => !a.IsCommitted)) Interlocked.Increment(ref refused);
            }
            finally
            {
                if (serialized) global.Release();
                else turn.Dispose();
            }
            latencies[c] = Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
        })).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        var window = new Window(confirmations, seconds, confirmations / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), refused, world.Engine.Height - height);
        log.WriteLine($"({label}) {confirmations} confirmations in {seconds:N2} s = {window.PerSecond:N1}/s; p50 {window.P50Ms:N1} ms, p99 {window.P99Ms:N1} ms; {window.Blocks} blocks; refused {refused}");
        return window;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
