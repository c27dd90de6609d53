namespace HealthPortal.Ledger.Rules;

/// <summary>Where a transaction is being applied: the block's height and timestamp, and its position in the block.</summary>
public readonly record struct BlockContext(long Height, long Timestamp, int Index);
