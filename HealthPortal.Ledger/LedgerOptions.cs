using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Storage;

namespace HealthPortal.Ledger;

/// <summary>Where the node keeps its ledger and how it orders transactions.</summary>
public sealed record LedgerOptions
{
    /// <summary>The node's SQLite file (one per node).</summary>
    public required string DatabasePath { get; init; }

    public SequencerOptions Sequencer { get; init; } = new();

    /// <summary>The SQLite pragmas and busy timeout of the node's file; validated when the engine opens it.</summary>
    public LedgerStorageOptions Storage { get; init; } = new();

    /// <summary>
    /// Makes the node's ordering service; null keeps the embedded <see cref="SoloSequencer"/> with <see cref="Sequencer"/>.
    /// </summary>
    public OrderingFactory? Ordering { get; init; }

    /// <summary>
    /// Told about faults inside the ordering (a bug while sealing, a block handler that threw) so they reach the log;
    /// must be quick and not throw. Without it faults go to <see cref="System.Diagnostics.Trace"/>.
    /// </summary>
    public Action<OrderingFault>? OnFault { get; init; }
}
