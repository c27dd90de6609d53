namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// An append-only RFC 6962 Merkle tree kept as its compact range <c>[0, Size)</c>: the roots of the
/// perfect subtrees that cover the leaves, largest (leftmost) first — one per set bit of
/// <see cref="Size"/>, so at most 64 hashes whatever the size. It yields the same root as
/// <see cref="MerkleTree.Root"/> over the same leaf hashes without keeping the leaves.
/// </summary>
/// <remarks>
/// Used for the chain-wide tree over all block header hashes: persist <see cref="Size"/> and
/// <see cref="Frontier"/> with each block and restore them with <see cref="FromFrontier"/>. Proofs still
/// need the leaves (<see cref="MerkleTree"/>). Appending is amortised O(1) hashing. Not thread-safe.
/// </remarks>
public sealed class MerkleAccumulator
{
    /// <summary>Creates the accumulator of the empty tree.</summary>
    public MerkleAccumulator() => throw new NotImplementedException();

    /// <summary>Number of leaves appended (or restored).</summary>
    public long Size => throw new NotImplementedException();

    /// <summary>
    /// Copies of the perfect-subtree roots covering <c>[0, Size)</c>, left to right (largest first);
    /// <c>Frontier.Count == BitOperations.PopCount((ulong)Size)</c>. Persist this with <see cref="Size"/>.
    /// </summary>
    public IReadOnlyList<byte[]> Frontier => throw new NotImplementedException();

    /// <summary>Appends one leaf. The hash is copied, so the caller may reuse the array.</summary>
    /// <param name="leafHash">The leaf's hash (<see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>); exactly
    /// <see cref="MerkleHash.Size"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="leafHash"/> has the wrong length.</exception>
    public void Append(byte[] leafHash) => throw new NotImplementedException();

    /// <summary>Returns the Merkle Tree Hash of the leaves so far; <see cref="MerkleHash.Empty"/> when none.</summary>
    public byte[] Root() => throw new NotImplementedException();

    /// <summary>Restores an accumulator from a persisted <see cref="Size"/> and <see cref="Frontier"/>.</summary>
    /// <param name="size">Number of leaves; requires <c>size &gt;= 0</c>.</param>
    /// <param name="frontier">Exactly <c>PopCount(size)</c> hashes of <see cref="MerkleHash.Size"/> bytes,
    /// largest subtree first. They are copied.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="frontier"/> has the wrong count or a hash the wrong length.</exception>
    public static MerkleAccumulator FromFrontier(long size, IReadOnlyList<byte[]> frontier) => throw new NotImplementedException();
}
