using System.Numerics;

namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// Builds RFC 6962 §2.1 / RFC 9162 §2.1 Merkle tree roots and proofs over a list of leaf hashes held
/// in memory (for example the transaction ids of one block). Verify the proofs with
/// <see cref="MerkleVerifier"/>; grow a tree leaf by leaf with <see cref="MerkleAccumulator"/>.
/// </summary>
/// <remarks>
/// Every method takes LEAF HASHES, already hashed with <see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>,
/// never raw leaf data. Each element must be non-null and exactly <see cref="MerkleHash.Size"/> bytes;
/// otherwise an <see cref="ArgumentException"/> is thrown. Returned hashes are new arrays the caller owns.
/// </remarks>
public static class MerkleTree
{
    /// <summary>
    /// Returns the Merkle Tree Hash <c>MTH(D[n])</c> of the <c>n = leafHashes.Count</c> leaves;
    /// <see cref="MerkleHash.Empty"/> when there are none. O(n) hashing, no allocation beyond the result.
    /// </summary>
    /// <param name="leafHashes">Leaf hashes in tree order; each exactly <see cref="MerkleHash.Size"/> bytes.</param>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        if (leafHashes.Count == 0) return MerkleHash.Empty();

        var root = new byte[MerkleHash.Size];
        SubtreeRoot(leafHashes, 0, leafHashes.Count, root);
        return root;
    }

    /// <summary>
    /// Returns the audit path <c>PATH(index, D[n])</c> proving that leaf <paramref name="index"/> is in the
    /// tree of all <c>n = leafHashes.Count</c> leaves: sibling hashes ordered from the leaf up to the root.
    /// Empty for a tree of one leaf.
    /// </summary>
    /// <param name="leafHashes">Leaf hashes in tree order; each exactly <see cref="MerkleHash.Size"/> bytes.</param>
    /// <param name="index">Requires <c>0 &lt;= index &lt; leafHashes.Count</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the tree.</exception>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long index)
    {
        CheckLeafHashes(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, (long)leafHashes.Count);

        // PATH(m, D[n]) walked from the root down: at each split the subtree not holding leaf m is a
        // sibling on the path. The proof lists them bottom-up, i.e. in reverse order of discovery.
        Span<(int Start, int Count)> siblings = stackalloc (int, int)[MaxDepth];
        var depth = 0;
        int start = 0, n = leafHashes.Count, m = (int)index;
        while (n > 1)
        {
            var k = LargestPowerOfTwoBelow(n);
            if (m < k)
            {
                siblings[depth++] = (start + k, n - k);
                n = k;
            }
            else
            {
                siblings[depth++] = (start, k);
                start += k;
                m -= k;
                n -= k;
            }
        }

        var proof = new byte[depth][];
        for (var i = 0; i < depth; i++)
            proof[depth - 1 - i] = SubtreeRoot(leafHashes, siblings[i]);
        return proof;
    }

    /// <summary>
    /// Returns the consistency proof <c>PROOF(oldSize, D[n])</c> that the tree of all
    /// <c>n = leafHashes.Count</c> leaves extends the tree of its first <paramref name="oldSize"/> leaves.
    /// Empty when <paramref name="oldSize"/> equals <c>n</c>.
    /// </summary>
    /// <param name="leafHashes">Leaf hashes in tree order; each exactly <see cref="MerkleHash.Size"/> bytes.</param>
    /// <param name="oldSize">Requires <c>0 &lt; oldSize &lt;= leafHashes.Count</c>. A proof from the empty
    /// tree proves nothing, is not defined by RFC 9162 and is rejected by <see cref="MerkleVerifier"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is outside that range.</exception>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long oldSize)
    {
        CheckLeafHashes(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, (long)leafHashes.Count);

        // SUBPROOF(m, D[start:start+n], b) unrolled. Each step appends one subtree root AFTER the
        // recursive part, so the discovered roots come out in reverse, preceded by the root of the
        // old tree's last complete subtree when it is not already known to the verifier (b false).
        Span<(int Start, int Count)> siblings = stackalloc (int, int)[MaxDepth];
        var depth = 0;
        int start = 0, n = leafHashes.Count, m = (int)oldSize;
        var oldRootKnown = true;
        while (m != n)
        {
            var k = LargestPowerOfTwoBelow(n);
            if (m <= k)
            {
                siblings[depth++] = (start + k, n - k);
                n = k;
            }
            else
            {
                siblings[depth++] = (start, k);
                start += k;
                m -= k;
                n -= k;
                oldRootKnown = false;
            }
        }

        var first = oldRootKnown ? 0 : 1;
        var proof = new byte[first + depth][];
        if (!oldRootKnown) proof[0] = SubtreeRoot(leafHashes, (start, n));
        for (var i = 0; i < depth; i++)
            proof[first + depth - 1 - i] = SubtreeRoot(leafHashes, siblings[i]);
        return proof;
    }

    // A list indexed by int has fewer than 2^31 leaves, so a root-to-leaf path has at most 31 splits
    // and a compact range at most 31 subtrees, plus the one leaf being pushed.
    private const int MaxDepth = 32;

    private static byte[] SubtreeRoot(IReadOnlyList<byte[]> leafHashes, (int Start, int Count) range)
    {
        var root = new byte[MerkleHash.Size];
        SubtreeRoot(leafHashes, range.Start, range.Count, root);
        return root;
    }

    /// <summary>
    /// MTH(D[start:start+count]) for count &gt; 0, computed left to right while keeping only the compact
    /// range (the roots of the perfect subtrees seen so far) on the stack: n-1 node hashes, no heap.
    /// </summary>
    private static void SubtreeRoot(IReadOnlyList<byte[]> leafHashes, int start, int count, Span<byte> destination)
    {
        const int size = MerkleHash.Size;
        Span<byte> stack = stackalloc byte[MaxDepth * size];
        var depth = 0;
        for (var i = 0; i < count; i++)
        {
            LeafAt(leafHashes, start + i).CopyTo(stack.Slice(depth * size, size));
            depth++;
            // After i+1 leaves, each trailing zero bit of i+1 completes one more perfect subtree.
            for (var leaves = (uint)i + 1; (leaves & 1) == 0; leaves >>= 1)
            {
                depth--;
                var left = stack.Slice((depth - 1) * size, size);
                MerkleHash.Node(left, stack.Slice(depth * size, size), left);
            }
        }

        // Fold the remaining subtrees right to left: the largest subtree is the left child of the root.
        while (depth > 1)
        {
            depth--;
            var left = stack.Slice((depth - 1) * size, size);
            MerkleHash.Node(left, stack.Slice(depth * size, size), left);
        }

        stack[..size].CopyTo(destination);
    }

    private static int LargestPowerOfTwoBelow(int n) => 1 << BitOperations.Log2((uint)n - 1);

    private static byte[] LeafAt(IReadOnlyList<byte[]> leafHashes, int index)
    {
        var hash = leafHashes[index];
        if (hash is null || hash.Length != MerkleHash.Size)
            throw new ArgumentException(
                $"Leaf hash {index} must be {MerkleHash.Size} bytes; found {(hash is null ? "null" : hash.Length + " bytes")}.",
                nameof(leafHashes));
        return hash;
    }

    private static void CheckLeafHashes(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        // Proofs hash only part of the list; check all of it so bad input fails the same way everywhere.
        for (var i = 0; i < leafHashes.Count; i++) LeafAt(leafHashes, i);
    }
}
