using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using HealthPortal.Features.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Bench;

/// <summary>
/// One record end to end, as a facility and its patient would make it: the store write (the portal's write service,
/// which also maps the rows to FHIR objects), the FHIR JSON and its <see cref="RecordHash"/>, the
/// <c>record.anchor</c> signed by the facility key and then by the patient key (after the write, because the hash
/// depends on what was stored), then the submission as wire JSON and the wait for the receipt.
/// </summary>
internal sealed class StoreAnchoring(BenchPopulation world, BenchStores stores)
{
    private const string Staff = "bench-staff";
    private readonly TransactionFactory _tx = new();

    public async Task<StoreStep> EhrAsync(long n)
    {
        var facility = stores.Hospitals[(int)(n % stores.Hospitals.Count)];
        var (mpi, patient) = Patient(n);
        var start = Stopwatch.GetTimestamp();
        var cpu = CpuMark.Now();
        var saved = await stores.Hospital.RecordAdmissionAsync(facility.Facility.Id, mpi, BenchStores.Admission(n), Staff).ConfigureAwait(false);
        if (saved.Value is not { Records.Count: 1 } admission) return StoreStep.Failed("hospital write: " + saved);
        return await AnchorAsync(admission.Records[0], facility, patient, start, Stopwatch.GetTimestamp(), cpu.Since()).ConfigureAwait(false);
    }

    /// <summary>The laboratory's two steps, both in its store: the order, then its results (which make the record).</summary>
    public async Task<StoreStep> LabAsync(long n)
    {
        var facility = stores.Laboratories[(int)(n % stores.Laboratories.Count)];
        var (mpi, patient) = Patient(n);
        var start = Stopwatch.GetTimestamp();
        var cpu = CpuMark.Now();
        var order = await stores.Laboratory.CreateOrderAsync(facility.Facility.Id, mpi, BenchStores.LabOrder(n), Staff).ConfigureAwait(false);
        if (order.Value?.CreatedId is not { } orderId) return StoreStep.Failed("lab order: " + order);
        var report = await stores.Laboratory.ReportResultsAsync(facility.Facility.Id, orderId, BenchStores.LabValues(n), Staff).ConfigureAwait(false);
        if (report.Value is not { Records.Count: 1 } results) return StoreStep.Failed("lab report: " + report);
        return await AnchorAsync(results.Records[0], facility, patient, start, Stopwatch.GetTimestamp(), cpu.Since()).ConfigureAwait(false);
    }

    private (string Mpi, LedgerKeyPair Key) Patient(long n) => world.StorePatients[(int)((n * 7919) % world.StorePatients.Count)];

    private async Task<StoreStep> AnchorAsync(EhrRecord record, StoreFacility facility, LedgerKeyPair patient, long start, long written, long writeCpu)
    {
        var cpu = CpuMark.Now();
        var hash = record.Hash;
        var unsigned = _tx.RecordAnchor(record.Mpi, facility.Key.Id, record.RecordId, record.Kind, record.DateText, hash, facility.Link(record));
        var hashed = Stopwatch.GetTimestamp();
        var hashCpu = cpu.Since();
        cpu = CpuMark.Now();
        var wire = Encoding.UTF8.GetBytes(unsigned.SignWith(facility.Key).SignWith(patient).ToJsonString());
        var signed = Stopwatch.GetTimestamp();
        var signCpu = cpu.Since();
        var busy = 0;
        while (true)
        {
            var answer = await world.Engine.SubmitAsync(wire).ConfigureAwait(false);
            if (answer.IsCommitted) return new StoreStep(null, start, written, hashed, signed, Stopwatch.GetTimestamp(), busy, writeCpu, hashCpu, signCpu);
            if (answer.Error != LedgerError.Busy) return StoreStep.Failed("ledger: " + answer.Error);
            busy++;
            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The timestamps of one record's way (<see cref="Stopwatch"/> ticks): write started, written (and mapped to FHIR
/// objects), FHIR JSON hashed and anchor built, signed twice and serialized, receipt. <see cref="Error"/> is set
/// when a step failed; then the times mean nothing.
/// </summary>
internal readonly record struct StoreStep(string? Error, long Start, long Written, long Hashed, long Signed, long Receipt, int BusyRetries,
    long WriteCpuNs = -1, long HashCpuNs = -1, long SignCpuNs = -1)
{
    public static StoreStep Failed(string error) => new(error, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// The calling thread's CPU clock at a point; <see cref="Since"/> is the CPU spent since, or -1 when the code
/// continued on another thread (an await that did not complete synchronously), where the thread clock means nothing.
/// </summary>
internal readonly record struct CpuMark(int Thread, long Nanoseconds)
{
    public static CpuMark Now() => new(Environment.CurrentManagedThreadId, ThreadCpu.CurrentThreadNanoseconds());

    public long Since() => Environment.CurrentManagedThreadId == Thread ? ThreadCpu.CurrentThreadNanoseconds() - Nanoseconds : -1;
}

/// <summary>What a closed-loop store window measured; stage means are wall-clock ms per record committed in the window.</summary>
internal sealed record StoreWindowResult(double RecordsPerSecond, long Records, TimeSpan Window, long Started, long BusyRetries, string Failures,
    IReadOnlyList<long> PerSecond, double P50, double P90, double P99, double Max,
    double WriteMs, double HashMs, double SignMs, double LedgerMs, TimeSpan Cpu, SequencerStats Sequencer,
    double WriteCpuUs, double HashCpuUs, double SignCpuUs, double CpuSampledShare);

internal static class StoreDriver
{
    /// <summary>
    /// Closed loop: <paramref name="clients"/> clients each make one record with <paramref name="oneRecord"/>, wait
    /// for its receipt and start the next. After <paramref name="warmup"/>, records whose receipt arrives within
    /// <paramref name="window"/> are counted, and their write→receipt latencies and stage times are kept.
    /// </summary>
    public static async Task<StoreWindowResult> RunWindowAsync(Func<long, Task<StoreStep>> oneRecord, int clients, TimeSpan warmup, TimeSpan window,
        Func<(SequencerStats Stats, TimeSpan Cpu)> probe)
    {
        var next = -1L;
        var stop = 0;
        var windowStart = long.MaxValue;
        var windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        var perSecond = new long[(int)Math.Ceiling(window.TotalSeconds) + 1];
        var failures = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var inWindow = new ConcurrentBag<StoreStep>();
        long busy = 0;
        var tasks = new Task[clients];
        for (var c = 0; c < clients; c++)
            tasks[c] = Task.Run(async () =>
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    var step = await oneRecord(Interlocked.Increment(ref next)).ConfigureAwait(false);
                    if (step.Error is not null)
                    {
                        failures.AddOrUpdate(step.Error, 1, (_, n) => n + 1);
                        continue;
                    }
                    Interlocked.Add(ref busy, step.BusyRetries);
                    var since = step.Receipt - Volatile.Read(ref windowStart);
                    if (since < 0 || since >= windowTicks) continue;
                    inWindow.Add(step);
                    Interlocked.Increment(ref perSecond[since / Stopwatch.Frequency]);
                }
            });

        var (probeStart, probeEnd) = await Task.Factory.StartNew(() =>
        {
            Thread.Sleep(warmup);
            var before = probe();
            Volatile.Write(ref windowStart, Stopwatch.GetTimestamp());
            Thread.Sleep(window);
            var after = probe();
            return (before, after);
        }, TaskCreationOptions.LongRunning).ConfigureAwait(false);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(tasks).ConfigureAwait(false);

        var steps = inWindow.ToArray();
        var latencies = steps.Select(s => Ms(s.Receipt - s.Start)).Order().ToArray();
        double Mean(Func<StoreStep, long> ticks) => steps.Length == 0 ? double.NaN : steps.Average(s => Ms(ticks(s)));
        return new StoreWindowResult(steps.Length / window.TotalSeconds, steps.Length, window, Interlocked.Read(ref next) + 1, Interlocked.Read(ref busy),
            failures.IsEmpty ? "none" : string.Join(", ", failures.Select(f => $"{f.Key} ×{f.Value}")),
            perSecond.Take((int)Math.Ceiling(window.TotalSeconds)).ToList(),
            Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), latencies.Length == 0 ? double.NaN : latencies[^1],
            Mean(s => s.Written - s.Start), Mean(s => s.Hashed - s.Written), Mean(s => s.Signed - s.Hashed), Mean(s => s.Receipt - s.Signed),
            probeEnd.Cpu - probeStart.Cpu, probeEnd.Stats - probeStart.Stats,
            CpuMean(steps, s => s.WriteCpuNs), CpuMean(steps, s => s.HashCpuNs), CpuMean(steps, s => s.SignCpuNs),
            steps.Length == 0 ? 0 : steps.Count(s => s.WriteCpuNs >= 0) / (double)steps.Length);
    }

    /// <summary>Mean µs over the records whose stage stayed on one thread.</summary>
    private static double CpuMean(StoreStep[] steps, Func<StoreStep, long> ns)
    {
        var kept = steps.Select(ns).Where(v => v >= 0).ToArray();
        return kept.Length == 0 ? double.NaN : kept.Average() / 1000;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
