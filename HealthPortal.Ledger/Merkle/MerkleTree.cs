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
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) => throw new NotImplementedException();

    /// <summary>
    /// Returns the audit path <c>PATH(index, D[n])</c> proving that leaf <paramref name="index"/> is in the
    /// tree of all <c>n = leafHashes.Count</c> leaves: sibling hashes ordered from the leaf up to the root.
    /// Empty for a tree of one leaf.
    /// </summary>
    /// <param name="leafHashes">Leaf hashes in tree order; each exactly <see cref="MerkleHash.Size"/> bytes.</param>
    /// <param name="index">Requires <c>0 &lt;= index &lt; leafHashes.Count</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the tree.</exception>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long index) => throw new NotImplementedException();

    /// <summary>
    /// Returns the consistency proof <c>PROOF(oldSize, D[n])</c> that the tree of all
    /// <c>n = leafHashes.Count</c> leaves extends the tree of its first <paramref name="oldSize"/> leaves.
    /// Empty when <paramref name="oldSize"/> equals <c>n</c>.
    /// </summary>
    /// <param name="leafHashes">Leaf hashes in tree order; each exactly <see cref="MerkleHash.Size"/> bytes.</param>
    /// <param name="oldSize">Requires <c>0 &lt; oldSize &lt;= leafHashes.Count</c>. A proof from the empty
    /// tree proves nothing, is not defined by RFC 9162 and is rejected by <see cref="MerkleVerifier"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is outside that range.</exception>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long oldSize) => throw new NotImplementedException();
}
