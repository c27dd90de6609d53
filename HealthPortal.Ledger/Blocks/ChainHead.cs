namespace HealthPortal.Ledger.Blocks;

/// <summary>The tip the next block builds on. Owned and advanced by the sequencer after each commit.</summary>
public sealed class ChainHead
{
    public required long Height { get; set; }
    public required byte[] Hash { get; set; }
    public required long TxTotal { get; set; }
    public required long Timestamp { get; set; }
    public required HeaderHistory History { get; init; }
}
