namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// Verifies RFC 6962 / RFC 9162 §2.1.3.2 inclusion proofs and §2.1.4.2 consistency proofs, as produced by
/// <see cref="MerkleTree"/>. Proofs, sizes and hashes are treated as untrusted input: every way they can
/// be wrong is reported as a <see cref="MerkleProofResult"/>, never thrown. Only a <see langword="null"/>
/// proof list is misuse (<see cref="ArgumentNullException"/>); <see langword="null"/> elements are wrong-size hashes.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>
    /// Checks that <paramref name="proof"/> proves the leaf with hash <paramref name="leafHash"/> sits at
    /// <paramref name="index"/> in the tree of <paramref name="size"/> leaves whose root is <paramref name="root"/>.
    /// </summary>
    /// <param name="index">Leaf index; must satisfy <c>0 &lt;= index &lt; size</c> or the result is
    /// <see cref="MerkleProofError.IndexOutOfRange"/>.</param>
    /// <param name="size">Tree size; negative gives <see cref="MerkleProofError.SizeOutOfRange"/>.</param>
    /// <param name="leafHash">The leaf's hash (<see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>); <see cref="MerkleHash.Size"/> bytes.</param>
    /// <param name="proof">Sibling hashes from the leaf upwards, as from <see cref="MerkleTree.InclusionProof"/>.</param>
    /// <param name="root">The trusted root of the tree of <paramref name="size"/> leaves; <see cref="MerkleHash.Size"/> bytes.</param>
    public static MerkleProofResult VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
        => throw new NotImplementedException();

    /// <summary>
    /// Computes the root implied by an inclusion proof without comparing it to anything, so a caller can
    /// look it up (for example among signed block headers). Same checks as <see cref="VerifyInclusion"/>
    /// except the root comparison.
    /// </summary>
    /// <param name="index">Leaf index; <c>0 &lt;= index &lt; size</c>.</param>
    /// <param name="size">Tree size.</param>
    /// <param name="leafHash">The leaf's hash; <see cref="MerkleHash.Size"/> bytes.</param>
    /// <param name="proof">Sibling hashes from the leaf upwards.</param>
    /// <param name="destination">Receives the root when the result is valid; at least
    /// <see cref="MerkleHash.Size"/> bytes, otherwise <see cref="ArgumentException"/> (misuse).</param>
    public static MerkleProofResult RootFromInclusionProof(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, Span<byte> destination)
        => throw new NotImplementedException();

    /// <summary>
    /// Checks that <paramref name="proof"/> proves the tree of <paramref name="size2"/> leaves with root
    /// <paramref name="root2"/> extends the tree of its first <paramref name="size1"/> leaves with root
    /// <paramref name="root1"/>.
    /// </summary>
    /// <param name="size1">Old size; requires <c>0 &lt; size1 &lt;= size2</c>, otherwise
    /// <see cref="MerkleProofError.SizeOutOfRange"/>. Size 0 is refused: every tree extends the empty
    /// tree, so such a "proof" proves nothing (as in the transparency-dev vectors).</param>
    /// <param name="size2">New size.</param>
    /// <param name="proof">As from <see cref="MerkleTree.ConsistencyProof"/>; must be empty when
    /// <c>size1 == size2</c>.</param>
    /// <param name="root1">Trusted root at <paramref name="size1"/>.</param>
    /// <param name="root2">Trusted root at <paramref name="size2"/>.</param>
    /// <remarks>When <c>size1 == size2</c> the roots are only compared byte for byte (the proof states that
    /// both checkpoints name one tree), so their length is not checked; otherwise both must be
    /// <see cref="MerkleHash.Size"/> bytes.</remarks>
    public static MerkleProofResult VerifyConsistency(long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
        => throw new NotImplementedException();
}
