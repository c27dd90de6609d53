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
}
