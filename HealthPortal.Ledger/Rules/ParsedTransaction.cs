using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>A transaction that passed the stateless checks, with its typed payload and which signatures were already verified.</summary>
public sealed class ParsedTransaction(Transaction tx, TxPayload payload, bool[] verified)
{
    public Transaction Tx { get; } = tx;
    public TxPayload Payload { get; } = payload;

    /// <summary>Per signature: true once verified against its key. Unresolvable keys are left for the stateful pass.</summary>
    internal bool[] Verified { get; } = verified;

    /// <summary>
    /// Per signature: for a wallet signature that already recovered its address in the parallel pass, the EIP-712 digest
    /// it was recovered from (else null). The stateful pass rebuilds the digest from the block's state and skips the
    /// recovery only when it is this one, so a changed facility name or anything else still gets a full check; the
    /// role checks (an active key of this patient) run there regardless, so a revoked wallet is refused as before.
    /// </summary>
    internal byte[]?[]? WalletDigests { get; init; }
}
