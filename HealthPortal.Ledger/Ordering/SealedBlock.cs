using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// A block whose transactions passed every rule on the state it builds on, with its signed header and the state
/// changes it makes (not yet committed). <see cref="ToBytes"/> gives the form another node re-verifies.
/// </summary>
public sealed class SealedBlock
{
    internal SealedBlock(StoredBlock block, IReadOnlyList<ParsedTransaction> transactions, BlockMerkleTree tree, StateOverlay changes)
    {
        Block = block;
        Parsed = transactions;
        Transactions = [.. transactions.Select(t => t.Tx)];
        Tree = tree;
        Changes = changes;
    }

    public StoredBlock Block { get; }
    public long Height => Block.Header.Height;
    public IReadOnlyList<Transaction> Transactions { get; }
    internal IReadOnlyList<ParsedTransaction> Parsed { get; }
    internal BlockMerkleTree Tree { get; }
    internal StateOverlay Changes { get; }

    /// <summary>The canonical sealed-block bytes (<see cref="SealedBlockCodec"/>): header, proposer signature, transactions.</summary>
    public byte[] ToBytes() => SealedBlockCodec.Encode(Block.HeaderBytes, Block.Signature, Transactions);
}
