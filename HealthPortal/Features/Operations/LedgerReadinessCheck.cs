using HealthPortal.Features.Ledger;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthPortal.Features.Operations;

/// <summary>
/// Ready when the ledger is open (opening runs the start-up head check, which refuses a damaged head, so an open
/// ledger is one whose head verified at start), its commit thread is making progress, and no tamper alarm is raised.
/// </summary>
public sealed class LedgerReadinessCheck(LedgerHost ledger, CommitProgress progress, IEnumerable<ILedgerTamperAlarm> alarms) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthPortal.Ledger.LedgerEngine engine;
        try { engine = ledger.Engine; }
        catch (InvalidOperationException) { return Task.FromResult(HealthCheckResult.Unhealthy("the ledger is not open (starting or shutting down)")); }

        var data = new Dictionary<string, object>
        {
            ["height"] = engine.Height, ["transactions"] = engine.TransactionCount, ["pending"] = engine.Pending,
            ["headVerifiedAtStart"] = true,
        };
        // The engine's own alarm: a block sealed elsewhere failed verification here, and the node has stopped taking writes.
        if (engine.TamperAlarm is { } refused)
            return Task.FromResult(HealthCheckResult.Unhealthy($"tamper alarm: block {refused.Height} failed verification ({refused.Code}); this node takes no writes", data: data));
        foreach (var alarm in alarms)
            if (alarm.Alarm is { } raised)
                return Task.FromResult(HealthCheckResult.Unhealthy("tamper alarm: " + raised, data: data));
        if (progress.Stalled(engine.Pending) is { } waited)
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"the commit thread is not committing: {engine.Pending} transactions have waited {waited.TotalSeconds:F0} s with no block", data: data));
        return Task.FromResult(HealthCheckResult.Healthy($"ledger open at height {engine.Height}, head verified at start, commit thread committing", data));
    }
}
