namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Something went wrong inside the ordering that no submitter's refusal code describes (a bug while sealing, a block
/// handler that threw). It is reported through <see cref="LedgerOptions.OnFault"/> rather than swallowed; the
/// submitters it touched have been answered already.
/// </summary>
/// <param name="Stage">Where it happened: <c>seal</c>, <c>commit</c>, <c>publish</c>, <c>apply</c>, <c>replicate</c>.</param>
/// <param name="Height">The block it concerns (-1 when none was cut yet).</param>
public sealed record OrderingFault(string Stage, long Height, Exception Error)
{
    public override string ToString() => $"ordering fault at {Stage}, block {Height}: {Error.GetType().Name}: {Error.Message}";
}
