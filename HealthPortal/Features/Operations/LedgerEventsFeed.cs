using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Operations;

/// <summary>
/// Subscribes the metrics and the commit-progress watch to the ledger's events once the ledger is open. Registered after
/// <see cref="LedgerHost"/>, so it starts after it (and stops before it).
/// </summary>
public sealed class LedgerEventsFeed(LedgerHost ledger, PortalMetrics metrics, CommitProgress progress) : IHostedService
{
    private LedgerEngine? _engine;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _engine = ledger.Engine;
        metrics.StartFrom(_engine.SequencerStats);
        _engine.BlockCommitted += OnBlockCommitted;
        _engine.SubmissionRefused += metrics.SubmissionRefused;
        _engine.TamperAlarmRaised += metrics.VerifyFailed;
        // An alarm raised before this feed subscribed (while the node caught up at start) still counts once.
        if (_engine.TamperAlarm is { } early) metrics.VerifyFailed(early);
        return Task.CompletedTask;
    }

    private void OnBlockCommitted(CommittedBlock block)
    {
        progress.BlockCommitted();
        metrics.BlockCommitted(block, _engine!.SequencerStats);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_engine is { } engine)
        {
            engine.BlockCommitted -= OnBlockCommitted;
            engine.SubmissionRefused -= metrics.SubmissionRefused;
            engine.TamperAlarmRaised -= metrics.VerifyFailed;
        }
        return Task.CompletedTask;
    }
}
