using System.Numerics;

namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// An append-only RFC 6962 Merkle tree kept as its compact range <c>[0, Size)</c>: the roots of the
/// perfect subtrees that cover the leaves, largest (leftmost) first — one per set bit of
/// <see cref="Size"/>, so at most 63 hashes whatever the size. It yields the same root as
/// <see cref="MerkleTree.Root"/> over the same leaf hashes without keeping the leaves.
/// </summary>
/// <remarks>
/// Used for the chain-wide tree over all block header hashes: persist <see cref="Size"/> and
/// <see cref="Frontier"/> with each block and restore them with <see cref="FromFrontier"/>. Proofs still
/// need the leaves (<see cref="MerkleTree"/>). Appending is amortised O(1) hashing. Not thread-safe.
/// </remarks>
public sealed class MerkleAccumulator
{
    // Owned copies; merged subtrees are hashed in place into the left array.
    private readonly List<byte[]> _frontier = [];

    /// <summary>Creates the accumulator of the empty tree.</summary>
    public MerkleAccumulator()
    {
    }

    /// <summary>Number of leaves appended (or restored).</summary>
    public long Size { get; private set; }

    /// <summary>
    /// Copies of the perfect-subtree roots covering <c>[0, Size)</c>, left to right (largest first);
    /// <c>Frontier.Count == BitOperations.PopCount((ulong)Size)</c>. Persist this with <see cref="Size"/>.
    /// </summary>
    public IReadOnlyList<byte[]> Frontier => _frontier.Select(hash => (byte[])hash.Clone()).ToArray();

    /// <summary>Appends one leaf. The hash is copied, so the caller may reuse the array.</summary>
    /// <param name="leafHash">The leaf's hash (<see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>); exactly
    /// <see cref="MerkleHash.Size"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="leafHash"/> has the wrong length.</exception>
    public void Append(byte[] leafHash)
    {
        CheckHash(leafHash, nameof(leafHash));
        if (Size == long.MaxValue) throw new InvalidOperationException("The tree is full.");

        _frontier.Add((byte[])leafHash.Clone());
        Size++;
        // Each trailing zero bit of the new size is one pair of equal perfect subtrees to merge.
        for (var size = (ulong)Size; (size & 1) == 0; size >>= 1)
        {
            var right = _frontier[^1];
            _frontier.RemoveAt(_frontier.Count - 1);
            MerkleHash.Node(_frontier[^1], right, _frontier[^1]);
        }
    }

    /// <summary>Returns the Merkle Tree Hash of the leaves so far; <see cref="MerkleHash.Empty"/> when none.</summary>
    public byte[] Root()
    {
        if (_frontier.Count == 0) return MerkleHash.Empty();

        // The largest subtree is the root's left child; fold the others into its right side.
        var root = (byte[])_frontier[^1].Clone();
        for (var i = _frontier.Count - 2; i >= 0; i--)
            MerkleHash.Node(_frontier[i], root, root);
        return root;
    }

    /// <summary>Restores an accumulator from a persisted <see cref="Size"/> and <see cref="Frontier"/>.</summary>
    /// <param name="size">Number of leaves; requires <c>size &gt;= 0</c>.</param>
    /// <param name="frontier">Exactly <c>PopCount(size)</c> hashes of <see cref="MerkleHash.Size"/> bytes,
    /// largest subtree first. They are copied.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="frontier"/> has the wrong count or a hash the wrong length.</exception>
    public static MerkleAccumulator FromFrontier(long size, IReadOnlyList<byte[]> frontier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(frontier);
        var expected = BitOperations.PopCount((ulong)size);
        if (frontier.Count != expected)
            throw new ArgumentException($"A tree of size {size} has {expected} frontier hash(es); found {frontier.Count}.", nameof(frontier));

        var accumulator = new MerkleAccumulator { Size = size };
        foreach (var hash in frontier)
        {
            CheckHash(hash, nameof(frontier));
            accumulator._frontier.Add((byte[])hash.Clone());
        }
        return accumulator;
    }

    private static void CheckHash(byte[]? hash, string paramName)
    {
        ArgumentNullException.ThrowIfNull(hash, paramName);
        if (hash.Length != MerkleHash.Size)
            throw new ArgumentException($"A hash must be {MerkleHash.Size} bytes; found {hash.Length}.", paramName);
    }
}
