using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Ledger.Blocks;

/// <summary>
/// The append-only RFC 6962 tree over every header hash (the chain's history). Each header commits to the root of
/// all headers before it, which lets a client check that a later chain extends the one it saw (consistency proofs).
/// </summary>
public sealed class HeaderHistory
{
    private MerkleAccumulator _tree = new();

    public long Size => _tree.Size;

    public void Append(ReadOnlySpan<byte> headerHash) => _tree.Append(MerkleHash.Leaf(headerHash));

    public byte[] Root() => _tree.Root();

    /// <summary>An independent copy (the sequencer builds ahead of what has committed).</summary>
    public HeaderHistory Clone()
    {
        var copy = new HeaderHistory();
        copy._tree = MerkleAccumulator.FromFrontier(_tree.Size, _tree.Frontier);
        return copy;
    }
}
