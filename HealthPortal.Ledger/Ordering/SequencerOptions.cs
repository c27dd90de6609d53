namespace HealthPortal.Ledger.Ordering;

/// <summary>How the solo sequencer cuts blocks and bounds its mempool.</summary>
public sealed record SequencerOptions
{
    /// <summary>A block is cut as soon as this many transactions wait.</summary>
    public int MaxBlockTransactions { get; init; } = 2000;

    /// <summary>Otherwise a block is cut this long after its first transaction arrived.</summary>
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>At most this many transactions wait; beyond it submissions are answered Busy, never dropped.</summary>
    public int MempoolCapacity { get; init; } = 20_000;
}
