using System.Text.Json.Nodes;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Bench;

/// <summary>Per node of the loopback cluster: its applier's and its Raft ordering's stage counters (subtract two snapshots for an interval).</summary>
internal sealed record ClusterStages(ApplierStats[] Appliers, RaftOrderingStats[] Orderings)
{
    public static ClusterStages operator -(ClusterStages a, ClusterStages b)
        => new([.. a.Appliers.Zip(b.Appliers, (x, y) => x - y)], [.. a.Orderings.Zip(b.Orderings, (x, y) => x - y)]);

    public string Describe()
        => string.Join("; ", Appliers.Select((a, i) => $"node{i} apply: {a.Describe()}; ordering: {Orderings[i].Describe()}"));

    public JsonArray ToJson() => new([.. Appliers.Select((a, i) => (JsonNode)new JsonObject
    {
        ["node"] = i,
        ["applied_blocks"] = a.Blocks, ["applied_own_blocks"] = a.Own, ["applied_tx"] = a.Transactions,
        ["apply_signatures_ms"] = Math.Round(a.Signatures.TotalMilliseconds, 1), ["apply_rules_ms"] = Math.Round(a.Rules.TotalMilliseconds, 1),
        ["apply_store_ms"] = Math.Round(a.Store.TotalMilliseconds, 1), ["apply_publish_ms"] = Math.Round(a.Publish.TotalMilliseconds, 1),
        ["forwarded_in"] = Orderings[i].Forwarded, ["forwarded_checks_ms"] = Math.Round(Orderings[i].ForwardedChecks.TotalMilliseconds, 1),
        ["sealed_blocks"] = Orderings[i].Sealed, ["sealed_tx"] = Orderings[i].SealedTransactions,
        ["seal_ms"] = Math.Round(Orderings[i].Seal.TotalMilliseconds, 1), ["append_ms"] = Math.Round(Orderings[i].Append.TotalMilliseconds, 1),
        ["append_to_applied_ms"] = Math.Round(Orderings[i].AppendToApplied.TotalMilliseconds, 1),
    })]);
}

/// <summary>
/// Samples the process's thread pool every 100 ms on its own thread (a flooded pool would delay a sampler that ran on
/// it): work items queued and not started, threads, and completed items per second.
/// </summary>
internal sealed class PoolSampler
{
    private readonly List<(long Pending, int Threads)> _samples = [];
    private readonly Thread _thread;
    private readonly long _completedAtStart = ThreadPool.CompletedWorkItemCount;
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
    private long _completed;
    private volatile bool _stop;

    private PoolSampler()
    {
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                lock (_samples) _samples.Add((ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount));
                Thread.Sleep(100);
            }
        }) { IsBackground = true, Name = "bench thread-pool sampler" };
        _thread.Start();
    }

    public static PoolSampler Start() => new();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
        _completed = ThreadPool.CompletedWorkItemCount - _completedAtStart;
        _watch.Stop();
    }

    private (double MeanPending, long MaxPending, double MeanThreads, int MaxThreads) Summary()
    {
        lock (_samples)
            return _samples.Count == 0 ? (0, 0, 0, 0)
                : (_samples.Average(s => s.Pending), _samples.Max(s => s.Pending), _samples.Average(s => s.Threads), _samples.Max(s => s.Threads));
    }

    public string Describe()
    {
        var (meanPending, maxPending, meanThreads, maxThreads) = Summary();
        return $"queued work items mean {meanPending:N0} max {maxPending:N0}, threads mean {meanThreads:N1} max {maxThreads}, {_completed / Math.Max(0.001, _watch.Elapsed.TotalSeconds):N0} items/s";
    }

    public JsonObject ToJson()
    {
        var (meanPending, maxPending, meanThreads, maxThreads) = Summary();
        return new JsonObject
        {
            ["queued_mean"] = Math.Round(meanPending, 1), ["queued_max"] = maxPending, ["threads_mean"] = Math.Round(meanThreads, 1), ["threads_max"] = maxThreads,
            ["completed_items_per_s"] = Math.Round(_completed / Math.Max(0.001, _watch.Elapsed.TotalSeconds)),
        };
    }
}
