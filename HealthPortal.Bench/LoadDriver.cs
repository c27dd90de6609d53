using System.Collections.Concurrent;
using System.Diagnostics;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Bench;

/// <summary>What a batch of submissions came to.</summary>
internal sealed class LoadResult
{
    public long Committed;
    public long BusyRetries;
    public ConcurrentDictionary<LedgerError, long> Refused { get; } = new();
    public TimeSpan Elapsed { get; set; }

    public string DescribeRefusals() => Refused.IsEmpty ? "none" : string.Join(", ", Refused.Select(r => $"{r.Key}×{r.Value}"));
}

/// <summary>A timed closed-loop window: committed receipts counted only between its start and end.</summary>
internal sealed record WindowResult(double TxPerSecond, long CommittedInWindow, TimeSpan Window, bool RanOut, long Submitted,
    long BusyRetries, string Refusals, IReadOnlyList<long> PerSecond, SequencerStats Sequencer, TimeSpan Cpu);

/// <summary>Open-loop paced submissions: latency from each submission's scheduled time to its receipt.</summary>
internal sealed record LatencyResult(double Rate, int Samples, double P50, double P90, double P99, double Max, long Committed, string Refusals, double MaxLagMs);

/// <summary>Submits pre-built wire transactions to the engine, as many clients would.</summary>
internal static class LoadDriver
{
    /// <summary>Submits every transaction with <paramref name="submitters"/> concurrent closed-loop clients and waits for all answers.</summary>
    public static async Task<LoadResult> SubmitAllAsync(LedgerEngine engine, byte[][] wire, int submitters, Action<long>? progress = null)
    {
        var result = new LoadResult();
        var next = -1L;
        var watch = Stopwatch.StartNew();
        var clients = new Task[Math.Min(submitters, wire.Length)];
        for (var c = 0; c < clients.Length; c++)
            clients[c] = Task.Run(async () =>
            {
                long i;
                while ((i = Interlocked.Increment(ref next)) < wire.Length)
                {
                    await SubmitOne(engine, wire[i], result).ConfigureAwait(false);
                    if (progress is not null && (i & 0x3FFF) == 0) progress(i);
                }
            });
        await Task.WhenAll(clients).ConfigureAwait(false);
        result.Elapsed = watch.Elapsed;
        return result;
    }

    /// <summary>
    /// Closed loop: <paramref name="submitters"/> clients each submit, await the receipt and submit the next. After
    /// <paramref name="warmup"/>, committed receipts are counted for <paramref name="window"/>. If the pre-built
    /// transactions run out first, the window ends there and <see cref="WindowResult.RanOut"/> says so.
    /// </summary>
    public static Task<WindowResult> RunWindowAsync(LedgerEngine engine, byte[][] wire, int submitters, TimeSpan warmup, TimeSpan window,
        Func<(SequencerStats Stats, TimeSpan Cpu)> probe)
        => RunWindowAsync([engine], wire, submitters, warmup, window, probe);

    /// <summary>As above, with client c submitting through <paramref name="engines"/>[c mod count] (the nodes of a cluster).</summary>
    public static async Task<WindowResult> RunWindowAsync(IReadOnlyList<LedgerEngine> engines, byte[][] wire, int submitters, TimeSpan warmup, TimeSpan window,
        Func<(SequencerStats Stats, TimeSpan Cpu)> probe)
    {
        var result = new LoadResult();
        var next = -1L;
        var stop = 0;
        var clients = new Task[submitters];
        for (var c = 0; c < clients.Length; c++)
        {
            var engine = engines[c % engines.Count];
            clients[c] = Task.Run(async () =>
            {
                long i;
                while (Volatile.Read(ref stop) == 0 && (i = Interlocked.Increment(ref next)) < wire.Length)
                    await SubmitOne(engine, wire[i], result).ConfigureAwait(false);
            });
        }

        // Sample on a dedicated thread so a saturated thread pool does not skew the window's edges.
        var sampled = await Task.Factory.StartNew(() =>
        {
            Thread.Sleep(warmup);
            var startCount = Interlocked.Read(ref result.Committed);
            var start = Stopwatch.GetTimestamp();
            var probeStart = probe();
            var perSecond = new List<long>();
            var lastSecond = startCount;
            var nextSecond = 1;
            var ranOut = false;
            long endCount;
            long end;
            while (true)
            {
                Thread.Sleep(20);
                var elapsed = Stopwatch.GetElapsedTime(start);
                var committed = Interlocked.Read(ref result.Committed);
                if (elapsed.TotalSeconds >= nextSecond)
                {
                    perSecond.Add(committed - lastSecond);
                    lastSecond = committed;
                    nextSecond++;
                }
                if (Interlocked.Read(ref next) >= wire.Length) { ranOut = true; endCount = committed; end = Stopwatch.GetTimestamp(); break; }
                if (elapsed >= window) { endCount = committed; end = Stopwatch.GetTimestamp(); break; }
            }
            var probeEnd = probe();
            return (startCount, endCount, Stopwatch.GetElapsedTime(start, end), ranOut, perSecond, probeEnd.Stats - probeStart.Stats, probeEnd.Cpu - probeStart.Cpu);
        }, TaskCreationOptions.LongRunning).ConfigureAwait(false);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(clients).ConfigureAwait(false);

        var inWindow = sampled.endCount - sampled.startCount;
        return new WindowResult(inWindow / sampled.Item3.TotalSeconds, inWindow, sampled.Item3, sampled.ranOut,
            Math.Min(Interlocked.Read(ref next), wire.Length), result.BusyRetries, result.DescribeRefusals(), sampled.perSecond, sampled.Item6, sampled.Item7);
    }

    /// <summary>
    /// Open loop: submission i is due at start + i / <paramref name="rate"/> whatever happened to earlier ones, and
    /// its latency runs from that due time (not from when it was actually sent) to its receipt, so a stalled ledger
    /// cannot hide its stall by slowing the clients down. The first <paramref name="warmup"/> is not sampled.
    /// </summary>
    public static async Task<LatencyResult> RunPacedAsync(LedgerEngine engine, byte[][] wire, double rate, TimeSpan warmup)
    {
        var result = new LoadResult();
        var latencies = new double[wire.Length];
        var answered = new Task[wire.Length];
        var maxLag = 0.0;
        var start = Stopwatch.GetTimestamp();
        await Task.Factory.StartNew(() =>
        {
            var sent = 0;
            while (sent < wire.Length)
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var due = Math.Min(wire.Length, (int)(elapsed * rate) + 1);
                if (due > sent) maxLag = Math.Max(maxLag, (elapsed - sent / rate) * 1000);
                for (; sent < due; sent++)
                {
                    var i = sent;
                    var dueAt = start + (long)(i / rate * Stopwatch.Frequency);
                    answered[i] = Task.Run(async () =>
                    {
                        var committed = await SubmitOne(engine, wire[i], result).ConfigureAwait(false);
                        latencies[i] = committed ? Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds : double.NaN;
                    });
                }
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning).ConfigureAwait(false);
        await Task.WhenAll(answered).ConfigureAwait(false);

        var skip = (int)Math.Min(wire.Length, warmup.TotalSeconds * rate);
        var sample = latencies.Skip(skip).Where(l => !double.IsNaN(l)).Order().ToArray();
        return new LatencyResult(rate, sample.Length, Percentile(sample, 0.50), Percentile(sample, 0.90), Percentile(sample, 0.99),
            sample.Length == 0 ? double.NaN : sample[^1], result.Committed, result.DescribeRefusals(), maxLag);
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Submits one wire transaction; a Busy answer (full mempool) is retried after 1 ms, never dropped.</summary>
    private static async ValueTask<bool> SubmitOne(LedgerEngine engine, byte[] wire, LoadResult result)
    {
        while (true)
        {
            var answer = await engine.SubmitAsync(wire).ConfigureAwait(false);
            if (answer.IsCommitted)
            {
                Interlocked.Increment(ref result.Committed);
                return true;
            }
            if (answer.Error == LedgerError.Busy)
            {
                Interlocked.Increment(ref result.BusyRetries);
                await Task.Delay(1).ConfigureAwait(false);
                continue;
            }
            result.Refused.AddOrUpdate(answer.Error, 1, (_, n) => n + 1);
            return false;
        }
    }
}
