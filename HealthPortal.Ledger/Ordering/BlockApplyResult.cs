namespace HealthPortal.Ledger.Ordering;

/// <summary>The outcome of applying a sealed block: applied (or found already applied, identical), or refused with a code.</summary>
public sealed record BlockApplyResult(SealedBlock? Block, BlockRefusal? Refusal, bool AlreadyApplied = false)
{
    public bool IsApplied => Refusal is null;
    public static BlockApplyResult Applied(SealedBlock block) => new(block, null);
    public static BlockApplyResult Refused(BlockRefusal refusal) => new(null, refusal);
    public static BlockApplyResult Duplicate() => new(null, null, AlreadyApplied: true);
}
