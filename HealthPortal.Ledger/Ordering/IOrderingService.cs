using HealthPortal.Ledger.Rules;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Orders checked transactions into blocks. The embedded default is <see cref="SoloSequencer"/>; a multi-node
/// deployment puts Raft ordering among approved facility nodes behind the same contract.
/// </summary>
public interface IOrderingService : IAsyncDisposable
{
    /// <summary>
    /// Queues a transaction that passed the stateless checks. Completes only after the block holding it has committed
    /// (with a receipt) or when it is refused (with a code) — <see cref="LedgerError.Busy"/> at once if the mempool is full.
    /// </summary>
    ValueTask<SubmitResult> SubmitAsync(ParsedTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Transactions waiting to be sealed.</summary>
    int Pending { get; }
}
