using System.Diagnostics;

namespace HealthPortal.Bench;

/// <summary>
/// The all-cores timed loop of the raw-rate phases: one thread per core, released together by a barrier, each
/// running one operation over and over until the window closes; the rate is the sum of every thread's count over the
/// measured window. Setup and warm-up stay with the caller, outside the timed part.
/// </summary>
internal static class ParallelRate
{
    /// <param name="name">Names the worker threads ("verify-0", …) and the failure.</param>
    /// <param name="stride">Where thread t starts in the caller's samples (t × stride), so the threads do not walk the same samples in step.</param>
    /// <param name="operation">
    /// One operation on the i-th sample (i counts up from the thread's start; take it modulo the sample count). False is
    /// a check that failed: the run stops with an exception, since a rate of wrong answers means nothing.
    /// </param>
    public static (double PerSecond, long Operations) Measure(TimeSpan duration, string name, int stride, Func<int, bool> operation)
    {
        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var stop = 0;
        using var ready = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            ready.SignalAndWait();
            long n = 0;
            var i = t * stride;
            while (Volatile.Read(ref stop) == 0)
            {
                if (!operation(i++)) throw new InvalidOperationException($"{name} failed");
                n++;
            }
            counts[t] = n;
        }) { IsBackground = true, Name = $"{name}-{t}" }).ToList();
        foreach (var w in workers) w.Start();
        ready.SignalAndWait();
        var watch = Stopwatch.StartNew();
        Thread.Sleep(duration);
        Volatile.Write(ref stop, 1);
        foreach (var w in workers) w.Join();
        var elapsed = watch.Elapsed.TotalSeconds;
        return (counts.Sum() / elapsed, counts.Sum());
    }
}
