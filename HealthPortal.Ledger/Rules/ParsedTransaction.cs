using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>A transaction that passed the stateless checks, with its typed payload and which signatures were already verified.</summary>
public sealed class ParsedTransaction(Transaction tx, TxPayload payload, bool[] verified)
{
    public Transaction Tx { get; } = tx;
    public TxPayload Payload { get; } = payload;

    /// <summary>Per signature: true once verified against its key. Unresolvable keys are left for the stateful pass.</summary>
    internal bool[] Verified { get; } = verified;
}
