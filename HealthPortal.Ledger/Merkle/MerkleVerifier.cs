using System.Numerics;
using static HealthPortal.Ledger.Merkle.MerkleProofError;

namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// Verifies RFC 6962 / RFC 9162 §2.1.3.2 inclusion proofs and §2.1.4.2 consistency proofs, as produced by
/// <see cref="MerkleTree"/>. Proofs, sizes and hashes are treated as untrusted input: every way they can
/// be wrong is reported as a <see cref="MerkleProofResult"/>, never thrown. Only misuse throws: a
/// <see langword="null"/> proof list (<see cref="ArgumentNullException"/>) or a destination that is too
/// short (<see cref="ArgumentException"/>); <see langword="null"/> proof elements are wrong-size hashes.
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
    /// <remarks>An RFC 6962 inclusion proof does not commit to the tree size by itself: the same proof can
    /// verify against the same root under a neighbouring size (for example leaf 0 of 5 and of 6). Take
    /// <paramref name="size"/> and <paramref name="root"/> from the same signed block header.</remarks>
    public static MerkleProofResult VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (root.Length != Size) return WrongHash("root", root.Length);

        Span<byte> computed = stackalloc byte[Size];
        var result = RootFromInclusionProof(index, size, leafHash, proof, computed);
        return result.IsValid ? Match(computed, root, size) : result;
    }

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
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (destination.Length < Size)
            throw new ArgumentException($"The destination must hold {Size} bytes; found {destination.Length}.", nameof(destination));

        if (size < 0)
            return MerkleProofResult.Fail(SizeOutOfRange, $"Tree size must be non-negative; found {size}.");
        if (index < 0 || index >= size)
            return MerkleProofResult.Fail(IndexOutOfRange, $"Leaf index must be in [0, {size}); found {index}.");
        if (leafHash.Length != Size) return WrongHash("leaf hash", leafHash.Length);

        var expected = InclusionProofLength((ulong)index, (ulong)size);
        if (proof.Count != expected)
            return WrongLength($"leaf {index} in a tree of size {size}", expected, proof.Count);
        var badHash = CheckProofHashes(proof);
        if (!badHash.IsValid) return badHash;

        // RFC 9162 §2.1.3.2, step 4. fn is the node's index on its level, sn the last index there.
        Span<byte> r = stackalloc byte[Size];
        leafHash.CopyTo(r);
        ulong fn = (ulong)index, sn = (ulong)size - 1;
        foreach (var p in proof)
        {
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p, r, r);
                // A right-border node with no sibling is promoted unchanged up the levels.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }

        // The length check above guarantees the path reached the root; keep the RFC's final test anyway.
        if (sn != 0)
            return MerkleProofResult.Fail(WrongProofSize, $"The proof ended {BitOperations.Log2(sn) + 1} level(s) below the root of a tree of size {size}.");
        r.CopyTo(destination);
        return MerkleProofResult.Ok;
    }

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
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 < 0 || size2 < 0)
            return MerkleProofResult.Fail(SizeOutOfRange, $"Tree sizes must be non-negative; found size1 {size1}, size2 {size2}.");
        if (size1 > size2)
            return MerkleProofResult.Fail(SizeOutOfRange, $"size1 must not exceed size2; found size1 {size1} > size2 {size2}.");
        if (size1 == 0)
            return MerkleProofResult.Fail(SizeOutOfRange, $"size1 must be at least 1: every tree extends the empty tree, so a proof from size 0 proves nothing; found size1 0, size2 {size2}.");
        if (size1 == size2)
        {
            if (proof.Count != 0) return WrongLength($"equal sizes {size1}", 0, proof.Count);
            return root1.SequenceEqual(root2)
                ? MerkleProofResult.Ok
                : MerkleProofResult.Fail(RootMismatch, $"Equal sizes {size1} need equal roots; found root1 {Hex(root1)}, root2 {Hex(root2)}.");
        }

        if (root1.Length != Size) return WrongHash("root1", root1.Length);
        if (root2.Length != Size) return WrongHash("root2", root2.Length);
        var expected = ConsistencyProofLength((ulong)size1, (ulong)size2);
        if (proof.Count != expected)
            return WrongLength($"sizes {size1} to {size2}", expected, proof.Count);
        var badHash = CheckProofHashes(proof);
        if (!badHash.IsValid) return badHash;

        // RFC 9162 §2.1.4.2. When size1 is a power of two the old root is itself the first node of the
        // path (step 2); otherwise the proof starts with the root of the old tree's last full subtree.
        var powerOfTwo = BitOperations.IsPow2((ulong)size1);
        Span<byte> fr = stackalloc byte[Size];
        Span<byte> sr = stackalloc byte[Size];
        (powerOfTwo ? root1 : proof[0]).CopyTo(fr);
        fr.CopyTo(sr);

        ulong fn = (ulong)size1 - 1, sn = (ulong)size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        for (var i = powerOfTwo ? 0 : 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
                return MerkleProofResult.Fail(WrongProofSize, $"The proof for sizes {size1} to {size2} has {proof.Count - i} hash(es) beyond the root.");
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.Node(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
            return MerkleProofResult.Fail(WrongProofSize, $"The proof for sizes {size1} to {size2} ended {BitOperations.Log2(sn) + 1} level(s) below the root.");
        var old = Match(fr, root1, size1);
        return old.IsValid ? Match(sr, root2, size2) : old;
    }

    private const int Size = MerkleHash.Size;

    // Mirrors the merkle library's decompInclProof: the path of a leaf splits into the inner part, below
    // the node where it diverges from the path of the last leaf, and the border part above it, which
    // holds one left sibling per set bit of the index there.
    private static int InclusionProofLength(ulong index, ulong size)
    {
        var inner = BitLength(index ^ (size - 1));
        return inner + BitOperations.PopCount(index >> inner);
    }

    // An inclusion proof of the old tree's last full subtree (at level TrailingZeroCount(size1)) in the
    // new tree, preceded by that subtree's root unless it is the whole old tree (size1 a power of two).
    private static int ConsistencyProofLength(ulong size1, ulong size2)
    {
        var inner = BitLength((size1 - 1) ^ (size2 - 1));
        var border = BitOperations.PopCount((size1 - 1) >> inner);
        var shift = BitOperations.TrailingZeroCount(size1);
        return (BitOperations.IsPow2(size1) ? 0 : 1) + inner - shift + border;
    }

    private static int BitLength(ulong value) => 64 - BitOperations.LeadingZeroCount(value);

    private static MerkleProofResult CheckProofHashes(IReadOnlyList<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            var length = proof[i]?.Length ?? 0;
            if (length != Size) return WrongHash($"proof[{i}]", length);
        }
        return MerkleProofResult.Ok;
    }

    private static MerkleProofResult Match(ReadOnlySpan<byte> computed, ReadOnlySpan<byte> expected, long size)
        => computed.SequenceEqual(expected)
            ? MerkleProofResult.Ok
            : MerkleProofResult.Fail(RootMismatch, $"Root at size {size} mismatched: computed {Hex(computed)}, expected {Hex(expected)}.");

    private static MerkleProofResult WrongHash(string what, int length)
        => MerkleProofResult.Fail(WrongHashSize, $"The {what} must be {Size} bytes; found {length}.");

    private static MerkleProofResult WrongLength(string what, int expected, int found)
        => MerkleProofResult.Fail(WrongProofSize, $"A proof for {what} must have {expected} hash(es); found {found}.");

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
