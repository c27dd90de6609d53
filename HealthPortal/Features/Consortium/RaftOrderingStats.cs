namespace HealthPortal.Features.Consortium;

/// <summary>
/// Cumulative counters of one node's <see cref="RaftOrdering"/> (for the benchmark and monitoring; subtract two
/// snapshots for an interval): the transactions other nodes forwarded and the time their stateless checks took here,
/// and, while this node leads, the blocks it sealed, the time sealing and appending them to the log took, and the wall
/// time from append to applied on this node (replication to a majority, commit and the local apply).
/// </summary>
public readonly record struct RaftOrderingStats(long Forwarded, TimeSpan ForwardedChecks, long Sealed, long SealedTransactions, TimeSpan Seal, TimeSpan Append, TimeSpan AppendToApplied)
{
    public static RaftOrderingStats operator -(RaftOrderingStats a, RaftOrderingStats b)
        => new(a.Forwarded - b.Forwarded, a.ForwardedChecks - b.ForwardedChecks, a.Sealed - b.Sealed, a.SealedTransactions - b.SealedTransactions,
            a.Seal - b.Seal, a.Append - b.Append, a.AppendToApplied - b.AppendToApplied);

    public static RaftOrderingStats operator +(RaftOrderingStats a, RaftOrderingStats b)
        => new(a.Forwarded + b.Forwarded, a.ForwardedChecks + b.ForwardedChecks, a.Sealed + b.Sealed, a.SealedTransactions + b.SealedTransactions,
            a.Seal + b.Seal, a.Append + b.Append, a.AppendToApplied + b.AppendToApplied);

    public string Describe()
    {
        var s = Math.Max(1, Sealed);
        return $"forwarded {Forwarded} (checks {ForwardedChecks.TotalMicroseconds / Math.Max(1, Forwarded):N0} µs each); sealed {Sealed} blocks of {(double)SealedTransactions / s:N1} tx; " +
            $"per block: seal {Seal.TotalMilliseconds / s:N1} ms, append {Append.TotalMilliseconds / s:N1} ms, append→applied {AppendToApplied.TotalMilliseconds / s:N1} ms";
    }
}
