using CsCheck;
using HealthPortal.Ledger.Merkle;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Merkle;

/// <summary>Proofs from MerkleTree verify, and an inclusion proof verifies iff the leaf is in the tree there.</summary>
public class MerkleVerifierPropertyTests(ITestOutputHelper output)
{
    private const int Iterations = 1_000;

    // Picks an element of a list whose length is only known once the tree is built.
    private static readonly Gen<int> AnyPosition = Gen.Int[0, int.MaxValue];
    private static readonly Gen<int> AnyBit = Gen.Int[0, MerkleHash.Size * 8 - 1];

    [Fact]
    public void InclusionProof_AlwaysVerifies() =>
        MerkleGen.TreeAndIndex().Sample((size, salt, index) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            var result = MerkleVerifier.VerifyInclusion(index, size, leaves[index], MerkleTree.InclusionProof(leaves, index), MerkleTree.Root(leaves));
            Assert.True(result.IsValid, result.Message);
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void ConsistencyProof_AlwaysVerifies() =>
        MerkleGen.TreeAndOldSize().Sample((size, salt, oldSize) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            var result = MerkleVerifier.VerifyConsistency(oldSize, size, MerkleTree.ConsistencyProof(leaves, oldSize),
                MerkleTree.Root(leaves[..oldSize]), MerkleTree.Root(leaves));
            Assert.True(result.IsValid, result.Message);
        }, writeLine: output.WriteLine, iter: Iterations);

    // Claim: leaf `candidate` (a leaf of the tree, or one that is not) is at `claimedIndex`, using the
    // proof for `index`. Only the true leaf at the true index may verify. Half of the claims keep the
    // true index and half the true leaf, so both outcomes are common.
    [Fact]
    public void InclusionProof_VerifiesIffTheClaimedLeafIsAtTheClaimedIndex() =>
        Gen.Select(MerkleGen.TreeAndIndex(), Gen.Bool, AnyPosition, Gen.Bool, AnyPosition)
            .Sample((tree, trueIndex, indexPick, trueLeaf, leafPick) =>
        {
            var (size, salt, index) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var claimedIndex = trueIndex ? index : indexPick % size;
            var foreignLeaf = MerkleHash.Leaf(BitConverter.GetBytes(salt));
            var candidate = trueLeaf ? leaves[index] : leafPick % (size + 1) is var pick && pick == size ? foreignLeaf : leaves[pick];

            var result = MerkleVerifier.VerifyInclusion(claimedIndex, size, candidate, MerkleTree.InclusionProof(leaves, index), MerkleTree.Root(leaves));

            var truth = claimedIndex == index && candidate.AsSpan().SequenceEqual(leaves[index]);
            Assert.True(result.IsValid == truth, $"valid={result.IsValid}, expected {truth}: {result.Message}");
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void InclusionProof_WithOneBitFlipped_IsRootMismatch() =>
        Gen.Select(MerkleGen.TreeAndIndex().Where(t => t.Size >= 2), AnyPosition, AnyBit).Sample((tree, position, bit) =>
        {
            var (size, salt, index) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var proof = MerkleTree.InclusionProof(leaves, index).ToArray();
            proof[position % proof.Length][bit / 8] ^= (byte)(1 << (bit % 8));

            var result = MerkleVerifier.VerifyInclusion(index, size, leaves[index], proof, MerkleTree.Root(leaves));

            Assert.Equal(MerkleProofError.RootMismatch, result.Error);
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void InclusionProof_WithAHashRemoved_IsWrongProofSize() =>
        Gen.Select(MerkleGen.TreeAndIndex().Where(t => t.Size >= 2), AnyPosition).Sample((tree, position) =>
        {
            var (size, salt, index) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var proof = MerkleTree.InclusionProof(leaves, index).ToList();
            proof.RemoveAt(position % proof.Count);

            var result = MerkleVerifier.VerifyInclusion(index, size, leaves[index], proof, MerkleTree.Root(leaves));

            Assert.Equal(MerkleProofError.WrongProofSize, result.Error);
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void InclusionProof_WithAHashInserted_IsWrongProofSize() =>
        Gen.Select(MerkleGen.TreeAndIndex(), AnyPosition).Sample((tree, position) =>
        {
            var (size, salt, index) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var proof = MerkleTree.InclusionProof(leaves, index).ToList();
            proof.Insert(position % (proof.Count + 1), leaves[index]);

            var result = MerkleVerifier.VerifyInclusion(index, size, leaves[index], proof, MerkleTree.Root(leaves));

            Assert.Equal(MerkleProofError.WrongProofSize, result.Error);
        }, writeLine: output.WriteLine, iter: Iterations);

    // From here on 1 <= oldSize < size, so the consistency proof is never empty.
    private static Gen<(int Size, ulong Salt, int OldSize)> GrowingTree() => MerkleGen.TreeAndOldSize().Where(t => t.OldSize < t.Size);

    [Fact]
    public void ConsistencyProof_WithOneBitFlipped_IsRootMismatch() =>
        Gen.Select(GrowingTree(), AnyPosition, AnyBit).Sample((tree, position, bit) =>
        {
            var (size, salt, oldSize) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var proof = MerkleTree.ConsistencyProof(leaves, oldSize).ToArray();
            proof[position % proof.Length][bit / 8] ^= (byte)(1 << (bit % 8));

            var result = MerkleVerifier.VerifyConsistency(oldSize, size, proof, MerkleTree.Root(leaves[..oldSize]), MerkleTree.Root(leaves));

            Assert.Equal(MerkleProofError.RootMismatch, result.Error);
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void ConsistencyProof_WithAHashRemovedOrInserted_IsWrongProofSize() =>
        Gen.Select(GrowingTree(), AnyPosition, Gen.Bool).Sample((tree, position, remove) =>
        {
            var (size, salt, oldSize) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var proof = MerkleTree.ConsistencyProof(leaves, oldSize).ToList();
            if (remove) proof.RemoveAt(position % proof.Count);
            else proof.Insert(position % (proof.Count + 1), leaves[0]);

            var result = MerkleVerifier.VerifyConsistency(oldSize, size, proof, MerkleTree.Root(leaves[..oldSize]), MerkleTree.Root(leaves));

            Assert.Equal(MerkleProofError.WrongProofSize, result.Error);
        }, writeLine: output.WriteLine, iter: Iterations);

    // Any other prefix root (or a foreign hash) in place of either root must be rejected.
    [Fact]
    public void ConsistencyProof_AgainstAnyOtherRoot_IsRootMismatch() =>
        Gen.Select(GrowingTree(), AnyPosition, Gen.Bool).Sample((tree, otherPick, replaceOld) =>
        {
            var (size, salt, oldSize) = tree;
            var leaves = MerkleGen.Leaves(size, salt);
            var proof = MerkleTree.ConsistencyProof(leaves, oldSize);
            var rightSize = replaceOld ? oldSize : size;
            var otherSize = otherPick % (size + 1) is var s && s == rightSize ? -1 : s; // -1: a foreign hash
            var other = otherSize < 0 ? MerkleHash.Leaf(BitConverter.GetBytes(salt)) : MerkleTree.Root(leaves[..otherSize]);

            var result = replaceOld
                ? MerkleVerifier.VerifyConsistency(oldSize, size, proof, other, MerkleTree.Root(leaves))
                : MerkleVerifier.VerifyConsistency(oldSize, size, proof, MerkleTree.Root(leaves[..oldSize]), other);

            Assert.Equal(MerkleProofError.RootMismatch, result.Error);
        }, writeLine: output.WriteLine, iter: Iterations);
}
