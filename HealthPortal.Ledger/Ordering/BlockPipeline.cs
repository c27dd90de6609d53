using HealthPortal.Ledger.Rules;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// A sealing session that builds each block on the one sealed before it, before that one has committed — how an
/// ordering service keeps several blocks in flight (the solo sequencer does the same internally). It starts on the
/// committed head; each <see cref="Build"/> links to and applies the rules on top of the previous block's uncommitted
/// state. The caller must get its blocks committed in the order they were built, and must drop the session (start a
/// new one on the committed head) as soon as any of them might not commit — a later block is never valid without
/// every block before it.
/// </summary>
public sealed class BlockPipeline
{
    private readonly BlockBuilder _builder;
    private BlockTip _tip;
    private SealedBlock? _last;

    internal BlockPipeline(BlockBuilder builder, BlockTip tip)
    {
        _builder = builder;
        _tip = tip;
    }

    /// <summary>The height the next block will have.</summary>
    public long NextHeight => _tip.Height + 1;

    /// <summary>Seals a block on the last one built in this session (or on the committed head for the first).</summary>
    public BuiltBlock Build(IReadOnlyList<ParsedTransaction> batch)
    {
        var built = _builder.Build(batch, _tip, _last?.Changes);
        if (built.Block is { } block)
        {
            _tip = _tip.After(block);
            _last = block;
        }
        return built;
    }
}
