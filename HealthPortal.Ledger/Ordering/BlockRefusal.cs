namespace HealthPortal.Ledger.Ordering;

/// <summary>A block this node refused to apply: its height, the code and a reason naming what did not verify.</summary>
/// <param name="TransactionError">For <see cref="BlockRefusalCode.InvalidTransaction"/> and <see cref="BlockRefusalCode.RuleViolation"/>, the transaction's own code.</param>
public sealed record BlockRefusal(long Height, BlockRefusalCode Code, string Reason, LedgerError TransactionError = LedgerError.None)
{
    /// <summary>True for refusals that mean the block (or whoever sealed it) is wrong, not this node's disk.</summary>
    public bool IsTamper => Code is not (BlockRefusalCode.StorageFailed or BlockRefusalCode.Halted);

    public override string ToString() => $"block {Height} refused: {Code}: {Reason}";
}
