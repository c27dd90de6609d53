using System.Diagnostics.Metrics;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Operations;

/// <summary>
/// The portal's own instruments, on one <see cref="Meter"/> (<see cref="MeterName"/>) that OpenTelemetry exports at
/// <c>/metrics</c>. Features report through the few methods here; the ledger's figures are read from the engine
/// (height, mempool) or fed by its events (<see cref="LedgerEngine.BlockCommitted"/>, <see cref="LedgerEngine.SubmissionRefused"/>).
/// </summary>
public sealed class PortalMetrics
{
    public const string MeterName = "HealthPortal";

    private readonly Counter<long> _blocks;
    private readonly Counter<long> _transactions;
    private readonly Histogram<double> _commitTime;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _verifyFailures;
    private readonly Counter<long> _interopRequests;
    private readonly Counter<long> _interopDenials;
    private readonly Counter<long> _breakGlass;
    private readonly UpDownCounter<long> _circuits;
    private SequencerStats _lastStats;

    public PortalMetrics(IMeterFactory meters, LedgerHost ledger)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("healthportal.ledger.height", () => Read(ledger, e => e.Height), "{block}", "Height of the ledger's head block");
        meter.CreateObservableGauge("healthportal.ledger.mempool.depth", () => Read(ledger, e => e.Pending), "{transaction}", "Transactions waiting to be sealed into a block");
        _blocks = meter.CreateCounter<long>("healthportal.ledger.blocks.committed", "{block}", "Blocks committed by this process");
        _transactions = meter.CreateCounter<long>("healthportal.ledger.transactions.committed", "{transaction}", "Transactions committed by this process");
        _commitTime = meter.CreateHistogram<double>("healthportal.ledger.block.commit.duration", "s", "Time to write and fsync one block (SQLite transaction and commit)");
        _refusals = meter.CreateCounter<long>("healthportal.ledger.refusals", "{transaction}", "Submissions the ledger refused, by refusal code");
        _verifyFailures = meter.CreateCounter<long>("healthportal.ledger.verify.failures", "{block}", "Blocks that failed verification on this node (the tamper alarm), by refusal code");
        _interopRequests = meter.CreateCounter<long>("healthportal.interop.requests", "{request}", "Interop reads this node was asked to serve");
        _interopDenials = meter.CreateCounter<long>("healthportal.interop.denials", "{request}", "Interop reads (or parts of them) denied, by reason");
        _breakGlass = meter.CreateCounter<long>("healthportal.breakglass.sessions.opened", "{session}", "Emergency (break-glass) sessions opened");
        _circuits = meter.CreateUpDownCounter<long>("healthportal.circuits.active", "{circuit}", "Interactive Blazor circuits currently open");
    }

    private static long Read(LedgerHost ledger, Func<LedgerEngine, long> read)
    {
        // Between start-up and the ledger opening (and after shutdown) there is no engine: report nothing rather than throw.
        try { return read(ledger.Engine); }
        catch (InvalidOperationException) { return 0; }
    }

    /// <summary>On the commit thread after each block: counts it and records how long its write and fsync took.</summary>
    public void BlockCommitted(CommittedBlock block, SequencerStats stats)
    {
        _blocks.Add(1);
        _transactions.Add(block.Transactions.Count);
        // The sequencer's counters are cumulative; the commit thread raises this once per block, after it has added
        // the block's store and commit time but before it counts the block itself. So the difference to the previous
        // snapshot (taken at subscription, then at each block) is this block's own store-and-commit time.
        var delta = stats - _lastStats;
        _lastStats = stats;
        var spent = delta.Store + delta.Commit;
        if (spent > TimeSpan.Zero) _commitTime.Record(spent.TotalSeconds);
    }

    /// <summary>Takes the sequencer's counters when the feed subscribes, so blocks committed before (seeding) are not one block's time.</summary>
    public void StartFrom(SequencerStats stats) => _lastStats = stats;

    public void SubmissionRefused(LedgerError code) => _refusals.Add(1, new KeyValuePair<string, object?>("code", code.ToString()));

    public void VerifyFailed(BlockRefusal refusal) => _verifyFailures.Add(1, new KeyValuePair<string, object?>("code", refusal.Code.ToString()));

    public void InteropRequest() => _interopRequests.Add(1);

    public void InteropDenied(string reason) => _interopDenials.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void BreakGlassOpened() => _breakGlass.Add(1);

    public void CircuitOpened() => _circuits.Add(1);

    public void CircuitClosed() => _circuits.Add(-1);
}
