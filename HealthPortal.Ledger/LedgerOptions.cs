using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Ledger;

/// <summary>Where the node keeps its ledger and how it orders transactions.</summary>
public sealed record LedgerOptions
{
    /// <summary>The node's SQLite file (one per node).</summary>
    public required string DatabasePath { get; init; }

    public SequencerOptions Sequencer { get; init; } = new();
}
