using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Tests.Ledger.Merkle;

public class MerkleVerifierTests
{
    private static readonly byte[][] Leaves = MerkleGen.Leaves(7, 3);
    private static readonly byte[] Root7 = MerkleTree.Root(Leaves);

    [Fact]
    public void VerifyInclusion_IndexEqualToSize_IsIndexOutOfRange()
    {
        var result = MerkleVerifier.VerifyInclusion(7, 7, Leaves[6], MerkleTree.InclusionProof(Leaves, 6), Root7);

        Assert.Equal(MerkleProofError.IndexOutOfRange, result.Error);
        Assert.Contains("[0, 7)", result.Message);
    }

    [Fact]
    public void VerifyInclusion_NegativeIndex_IsIndexOutOfRange() =>
        Assert.Equal(MerkleProofError.IndexOutOfRange, MerkleVerifier.VerifyInclusion(-1, 7, Leaves[0], [], Root7).Error);

    [Fact]
    public void VerifyInclusion_InEmptyTree_IsIndexOutOfRange() =>
        Assert.Equal(MerkleProofError.IndexOutOfRange, MerkleVerifier.VerifyInclusion(0, 0, Leaves[0], [], MerkleHash.Empty()).Error);

    [Fact]
    public void VerifyInclusion_NegativeSize_IsSizeOutOfRange() =>
        Assert.Equal(MerkleProofError.SizeOutOfRange, MerkleVerifier.VerifyInclusion(0, -1, Leaves[0], [], Root7).Error);

    [Fact]
    public void VerifyInclusion_OnlyLeafWithEmptyProof_IsValid() =>
        Assert.True(MerkleVerifier.VerifyInclusion(0, 1, Leaves[0], [], Leaves[0]).IsValid);

    [Fact]
    public void VerifyInclusion_WrongRoot_IsRootMismatchNamingComputedAndExpected()
    {
        var wrongRoot = MerkleHash.Leaf([9]);

        var result = MerkleVerifier.VerifyInclusion(2, 7, Leaves[2], MerkleTree.InclusionProof(Leaves, 2), wrongRoot);

        Assert.Equal(MerkleProofError.RootMismatch, result.Error);
        Assert.Contains(Convert.ToHexStringLower(Root7), result.Message);
        Assert.Contains(Convert.ToHexStringLower(wrongRoot), result.Message);
    }

    [Fact]
    public void VerifyInclusion_LeafHashOfWrongLength_IsWrongHashSize()
    {
        var result = MerkleVerifier.VerifyInclusion(2, 7, Leaves[2].AsSpan(1), MerkleTree.InclusionProof(Leaves, 2), Root7);

        Assert.Equal(MerkleProofError.WrongHashSize, result.Error);
        Assert.Contains("found 31", result.Message);
    }

    [Fact]
    public void VerifyInclusion_NullProofElement_IsWrongHashSize()
    {
        var proof = MerkleTree.InclusionProof(Leaves, 2).ToArray();
        proof[1] = null!;

        Assert.Equal(MerkleProofError.WrongHashSize, MerkleVerifier.VerifyInclusion(2, 7, Leaves[2], proof, Root7).Error);
    }

    [Fact]
    public void VerifyInclusion_ProofOneHashTooLong_IsWrongProofSizeSayingExpectedAndFound()
    {
        byte[][] proof = [.. MerkleTree.InclusionProof(Leaves, 2), Root7];

        var result = MerkleVerifier.VerifyInclusion(2, 7, Leaves[2], proof, Root7);

        Assert.Equal(MerkleProofError.WrongProofSize, result.Error);
        Assert.Contains("must have 3 hash(es); found 4", result.Message);
    }

    // Documents an RFC 6962 property callers must know: size and root have to come from one signed header.
    [Fact]
    public void VerifyInclusion_SameProofAndRootUnderANeighbouringSize_StillVerifies()
    {
        var leaves = Leaves[..5];

        var result = MerkleVerifier.VerifyInclusion(0, 6, leaves[0], MerkleTree.InclusionProof(leaves, 0), MerkleTree.Root(leaves));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void VerifyInclusion_NullProof_Throws() =>
        Assert.Throws<ArgumentNullException>(() => MerkleVerifier.VerifyInclusion(0, 1, Leaves[0], null!, Leaves[0]));

    [Fact]
    public void RootFromInclusionProof_GivesTheTreeRoot()
    {
        var root = new byte[MerkleHash.Size];

        var result = MerkleVerifier.RootFromInclusionProof(5, 7, Leaves[5], MerkleTree.InclusionProof(Leaves, 5), root);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(Root7, root);
    }

    [Fact]
    public void VerifyConsistency_EqualSizesWithEmptyProofAndEqualRoots_IsValid() =>
        Assert.True(MerkleVerifier.VerifyConsistency(7, 7, MerkleTree.ConsistencyProof(Leaves, 7), Root7, Root7).IsValid);

    [Fact]
    public void VerifyConsistency_EqualSizesWithNonEmptyProof_IsWrongProofSize() =>
        Assert.Equal(MerkleProofError.WrongProofSize, MerkleVerifier.VerifyConsistency(7, 7, [Root7], Root7, Root7).Error);

    [Fact]
    public void VerifyConsistency_EqualSizesWithDifferentRoots_IsRootMismatch() =>
        Assert.Equal(MerkleProofError.RootMismatch, MerkleVerifier.VerifyConsistency(7, 7, [], Root7, Leaves[0]).Error);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void VerifyConsistency_FromSizeZero_IsSizeOutOfRange(long size2)
    {
        var result = MerkleVerifier.VerifyConsistency(0, size2, [], MerkleHash.Empty(), size2 == 0 ? MerkleHash.Empty() : Root7);

        Assert.Equal(MerkleProofError.SizeOutOfRange, result.Error);
        Assert.Contains("size1 must be at least 1", result.Message);
    }

    [Fact]
    public void VerifyConsistency_Size1AboveSize2_IsSizeOutOfRange() =>
        Assert.Equal(MerkleProofError.SizeOutOfRange, MerkleVerifier.VerifyConsistency(7, 6, [], Root7, Root7).Error);

    [Fact]
    public void VerifyConsistency_NegativeSize_IsSizeOutOfRange() =>
        Assert.Equal(MerkleProofError.SizeOutOfRange, MerkleVerifier.VerifyConsistency(-1, 6, [], Root7, Root7).Error);

    [Fact]
    public void VerifyConsistency_WrongOldRoot_IsRootMismatchAtTheOldSize()
    {
        var proof = MerkleTree.ConsistencyProof(Leaves, 3);
        var wrongOldRoot = MerkleTree.Root(Leaves[..2]);

        var result = MerkleVerifier.VerifyConsistency(3, 7, proof, wrongOldRoot, Root7);

        Assert.Equal(MerkleProofError.RootMismatch, result.Error);
        Assert.Contains("at size 3", result.Message);
    }

    [Fact]
    public void VerifyConsistency_WrongNewRoot_IsRootMismatchAtTheNewSize()
    {
        var proof = MerkleTree.ConsistencyProof(Leaves, 3);

        var result = MerkleVerifier.VerifyConsistency(3, 7, proof, MerkleTree.Root(Leaves[..3]), MerkleTree.Root(Leaves[..6]));

        Assert.Equal(MerkleProofError.RootMismatch, result.Error);
        Assert.Contains("at size 7", result.Message);
    }

    [Fact]
    public void VerifyConsistency_NullProof_Throws() =>
        Assert.Throws<ArgumentNullException>(() => MerkleVerifier.VerifyConsistency(1, 1, null!, Root7, Root7));
}
