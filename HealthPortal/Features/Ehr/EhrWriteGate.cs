using System.Collections.Concurrent;
using System.Diagnostics;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// One writer at a time per EHR store file, queued in this process rather than in SQLite. SQLite lets one connection
/// write a file at a time; a second writer's <c>BEGIN IMMEDIATE</c> gets <c>SQLITE_BUSY</c>, and Microsoft.Data.Sqlite
/// then retries it by sleeping the thread (a thread-pool thread) until the other commits or the command times out. At
/// 20 form saves a second on one hospital store, with a commit of 20-50 ms (fsyncs), saves overlap often (one in eight
/// waited in the benchmark), and those sleeping retries were the long tail of "save → QR shown" (docs/benchmarks.md,
/// issue 17: p99 1,278 ms before, 183 ms after). Waiting here is an asynchronous FIFO queue: each writer starts right
/// after the one before it commits, and no thread sleeps.
/// Writers of other stores are not held up. Other processes (an operator's sqlite3) still meet SQLite's own locking.
/// </summary>
public sealed class EhrWriteGate
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private long _turns, _waited, _waitTicks, _maxWaitTicks;

    /// <summary>
    /// Waits for the write turn of the store of <paramref name="facilityId"/> (the portal id: one store per facility on
    /// a node); dispose the answer right after the commit. A node hosts a handful of stores, so each keeps its semaphore.
    /// </summary>
    public async ValueTask<Turn> EnterAsync(string facilityId, CancellationToken ct = default)
    {
        var gate = _gates.GetOrAdd(facilityId, _ => new SemaphoreSlim(1, 1));
        Interlocked.Increment(ref _turns);
        if (gate.Wait(0)) return new Turn(gate);
        var started = Stopwatch.GetTimestamp();
        await gate.WaitAsync(ct);
        var waited = Stopwatch.GetTimestamp() - started;
        Interlocked.Increment(ref _waited);
        Interlocked.Add(ref _waitTicks, waited);
        long max;
        while (waited > (max = Interlocked.Read(ref _maxWaitTicks)) && Interlocked.CompareExchange(ref _maxWaitTicks, waited, max) != max) { }
        return new Turn(gate);
    }

    /// <summary>Turns taken since the start, how many had to wait for another writer, and how long in all (the benchmark's split).</summary>
    public WriteGateCounts Counts => new(Interlocked.Read(ref _turns), Interlocked.Read(ref _waited),
        Interlocked.Read(ref _waitTicks) * 1000.0 / Stopwatch.Frequency, Interlocked.Read(ref _maxWaitTicks) * 1000.0 / Stopwatch.Frequency);

    /// <summary>Holding one store's write turn; disposing releases it once.</summary>
    public struct Turn : IDisposable
    {
        private SemaphoreSlim? _gate;

        internal Turn(SemaphoreSlim gate) => _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}

/// <summary>Counters of <see cref="EhrWriteGate"/>; times in milliseconds.</summary>
public sealed record WriteGateCounts(long Turns, long Waited, double WaitMs, double MaxWaitMs);
