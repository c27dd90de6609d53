using HealthPortal.Ledger.Blocks;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// The block a new block links to: its height, header hash, running transaction total and time, and the history of
/// all headers up to and including it. The solo sequencer's tip runs ahead of the committed head while blocks commit.
/// </summary>
internal sealed record BlockTip(long Height, byte[] Hash, long TxTotal, long Timestamp, HeaderHistory History)
{
    public static BlockTip Of(ChainHead head) => new(head.Height, head.Hash, head.TxTotal, head.Timestamp, head.History.Clone());

    /// <summary>The tip after <paramref name="block"/>; the history is copied, so this tip stays as it was.</summary>
    public BlockTip After(SealedBlock block)
    {
        var history = History.Clone();
        history.Append(block.Block.Hash);
        return new BlockTip(block.Height, block.Block.Hash, block.Block.Header.TxTotal, block.Block.Header.Timestamp, history);
    }
}
