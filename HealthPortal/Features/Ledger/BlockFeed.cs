using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Ledger;

/// <summary>
/// Tells a page that blocks were committed, at most once per <c>interval</c>: the engine raises
/// <see cref="LedgerEngine.BlockCommitted"/> on its sequencer thread, which must stay quick, so the handler only
/// sets a flag and the refresh runs later on the thread pool (the page marshals it onto its circuit).
/// Dispose it with the page to unsubscribe.
/// </summary>
public sealed class BlockFeed : IDisposable
{
    private readonly LedgerEngine _engine;
    private readonly Func<Task> _refresh;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stopped = new();
    private int _queued;

    public BlockFeed(LedgerEngine engine, Func<Task> refresh, TimeSpan interval)
    {
        _engine = engine;
        _refresh = refresh;
        _interval = interval;
        engine.BlockCommitted += OnCommitted;
    }

    private void OnCommitted(CommittedBlock block)
    {
        if (Interlocked.Exchange(ref _queued, 1) == 0) _ = RefreshSoonAsync();
    }

    private async Task RefreshSoonAsync()
    {
        try
        {
            await Task.Delay(_interval, _stopped.Token);
            Volatile.Write(ref _queued, 0);
            await _refresh();
        }
        catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
        {
            // The page has gone.
        }
    }

    public void Dispose()
    {
        _engine.BlockCommitted -= OnCommitted;
        _stopped.Cancel();
    }
}
