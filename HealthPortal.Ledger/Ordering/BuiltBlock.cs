namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// What <see cref="BlockBuilder"/> made of a batch: the sealed block of the transactions that passed (null when none
/// did) and, for each batch position, the refusal of a transaction that did not (null where it was accepted).
/// </summary>
/// <param name="Accepted">Batch positions of the block's transactions, in block order.</param>
public sealed record BuiltBlock(SealedBlock? Block, IReadOnlyList<SubmitResult?> Refusals, IReadOnlyList<int> Accepted)
{
    /// <summary>Stopwatch ticks spent applying the rules (the rest of building is sealing), for <see cref="SequencerStats"/>.</summary>
    internal long RulesTicks { get; init; }
}
