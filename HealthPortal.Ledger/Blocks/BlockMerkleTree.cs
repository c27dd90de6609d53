using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Ledger.Blocks;

/// <summary>
/// All levels of the RFC 6962 tree over one block's transaction ids, built once so every receipt's inclusion proof
/// costs O(log n) instead of O(n). Level-by-level pairing with the odd last node carried up unchanged gives exactly
/// RFC 6962's left-balanced tree (split at the largest power of two below n).
/// </summary>
public sealed class BlockMerkleTree
{
    private readonly List<byte[][]> _levels = [];

    public BlockMerkleTree(IReadOnlyList<byte[]> transactionIds)
    {
        var level = new byte[transactionIds.Count][];
        for (var i = 0; i < level.Length; i++) level[i] = MerkleHash.Leaf(transactionIds[i]);
        _levels.Add(level);
        while (level.Length > 1)
        {
            var next = new byte[(level.Length + 1) / 2][];
            for (var i = 0; i < level.Length / 2; i++) next[i] = MerkleHash.Node(level[2 * i], level[2 * i + 1]);
            if (level.Length % 2 == 1) next[^1] = level[^1];
            _levels.Add(next);
            level = next;
        }
        Root = level.Length == 0 ? MerkleHash.Empty() : level[0];
    }

    public byte[] Root { get; }

    public int Count => _levels[0].Length;

    /// <summary>The audit path of leaf <paramref name="index"/>, leaf-side first, as RFC 6962 verifiers expect.</summary>
    public IReadOnlyList<byte[]> InclusionProof(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var proof = new List<byte[]>();
        for (var l = 0; l < _levels.Count - 1; l++)
        {
            var level = _levels[l];
            var sibling = index ^ 1;
            if (sibling < level.Length) proof.Add(level[sibling]);
            index >>= 1;
        }
        return proof;
    }
}
