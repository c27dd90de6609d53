using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Writes a sealed block in one SQLite transaction, then publishes its state changes and advances the committed head,
/// then tells subscribers. The one place a block becomes part of this node's chain, for every ordering.
/// </summary>
internal sealed class BlockCommitter(SqliteBlockStore store, LedgerState state, ChainHead head, Action<OrderingFault> reportFault)
{
    private readonly Lock _headGate = new();

    /// <summary>Raised after each block has committed, in height order; handlers that throw are reported as faults.</summary>
    public event Action<CommittedBlock>? Committed;

    public ChainHead Head => head;
    public long CommitTicks => store.CommitTicks;

    /// <summary>A consistent copy of the committed head to build the next block on.</summary>
    public BlockTip Tip()
    {
        lock (_headGate) return BlockTip.Of(head);
    }

    /// <summary>Stores the block durably, then makes it the head. Throws when the store fails (nothing was written then).</summary>
    public void Commit(SealedBlock block)
    {
        store.Append(block.Block, block.Transactions, block.Changes);
        lock (_headGate)
        {
            block.Changes.MergeInto(block.Height);
            head.Height = block.Height;
            head.Hash = block.Block.Hash;
            head.TxTotal += block.Transactions.Count;
            head.Timestamp = block.Block.Header.Timestamp;
            head.History.Append(block.Block.Hash);
        }
    }

    /// <summary>The receipt of the block's transaction at <paramref name="index"/>; call after <see cref="Commit"/>.</summary>
    public Receipt ReceiptFor(SealedBlock block, int index)
    {
        var tx = block.Transactions[index];
        var keys = new Dictionary<string, Jwk>(StringComparer.Ordinal);
        if (state.Node(block.Block.Header.Proposer)?.Key is { } proposer) keys[block.Block.Header.Proposer] = proposer;
        foreach (var sig in tx.Signatures)
            if ((StatelessValidator.EmbeddedKey(block.Parsed[index].Payload, sig.Kid) ?? state.ResolveKey(sig.Kid)) is { } jwk)
                keys[sig.Kid] = jwk;
        return new Receipt(tx, block.Height, index, block.Tree.InclusionProof(index), block.Block.Header, block.Block.Signature, keys,
            Receipt.WalletsOf(tx, block.Parsed[index].Payload, state));
    }

    /// <summary>Tells subscribers; a handler that throws is reported and does not stop the next block.</summary>
    public void Publish(SealedBlock block)
    {
        if (Committed is not { } handlers) return;
        var committed = new CommittedBlock(block.Block, block.Transactions);
        // One by one, so a handler that throws neither hides the block from the others nor stops the ledger.
        foreach (var handler in handlers.GetInvocationList().Cast<Action<CommittedBlock>>())
        {
            try
            {
                handler(committed);
            }
            catch (Exception e)
            {
                reportFault(new OrderingFault("publish", block.Height, e));
            }
        }
    }
}
