namespace HealthPortal.Features.Operations;

/// <summary>
/// Tells a commit thread that is alive from one that is stuck, from outside the engine: transactions waiting in the
/// mempool while no block commits for <c>stallAfter</c>. An idle ledger (nothing waiting) is never stalled, and the
/// clock starts when waiting work is first seen without progress, so a submission after an hour of quiet is not a stall.
/// </summary>
public sealed class CommitProgress(TimeProvider clock, TimeSpan stallAfter)
{
    private readonly Lock _lock = new();
    private long _blocks;
    private long _lastSeenBlocks = -1;
    private DateTimeOffset? _waitingSince;

    /// <summary>Called on the ledger's commit thread after each block.</summary>
    public void BlockCommitted() => Interlocked.Increment(ref _blocks);

    public long Blocks => Interlocked.Read(ref _blocks);

    /// <summary>How long transactions have waited without a block committing, or null when the ledger is keeping up.</summary>
    public TimeSpan? Stalled(int pending)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            var blocks = Blocks;
            if (pending == 0 || blocks != _lastSeenBlocks || _waitingSince is null)
            {
                _lastSeenBlocks = blocks;
                _waitingSince = pending == 0 ? null : now;
                return null;
            }
            var waited = now - _waitingSince.Value;
            return waited >= stallAfter ? waited : null;
        }
    }
}
