using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Tests.Ledger.Merkle;

public class MerkleTreeTests
{
    private static byte[][] KnownLeafHashes(int count) =>
        ReferenceTreeVectors.LeafData.Take(count).Select(hex => MerkleHash.Leaf(Convert.FromHexString(hex))).ToArray();

    public static TheoryData<int> ReferenceSizes => [.. ReferenceTreeVectors.Roots().Keys.Select(k => (int)k)];

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void Root_MatchesRfc6962TestVector(int size) =>
        Assert.Equal(ReferenceTreeVectors.Roots()[size], MerkleTree.Root(KnownLeafHashes(size)));

    [Fact]
    public void Root_OfNoLeaves_IsTheEmptyTreeHash() =>
        Assert.Equal(MerkleHash.Empty(), MerkleTree.Root([]));

    [Fact]
    public void Root_OfOneLeaf_IsThatLeafHash()
    {
        var leaf = MerkleHash.Leaf([42]);

        Assert.Equal(leaf, MerkleTree.Root([leaf]));
    }

    [Fact]
    public void Root_ReturnsACopyTheCallerOwns()
    {
        var leaf = MerkleHash.Leaf([42]);

        var root = MerkleTree.Root([leaf]);
        root[0] ^= 1;

        Assert.NotEqual(root, leaf);
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(4097)]
    public void Root_OfABlockOfThousandsOfLeaves_EqualsReference(int size)
    {
        var leaves = MerkleGen.Leaves(size, 7);

        Assert.Equal(ReferenceMerkle.Mth(leaves), MerkleTree.Root(leaves));
    }

    [Fact]
    public void Root_RejectsLeafHashOfWrongLength()
    {
        byte[][] leaves = [MerkleHash.Leaf([1]), new byte[31]];

        Assert.Throws<ArgumentException>(() => MerkleTree.Root(leaves));
    }

    [Fact]
    public void Root_RejectsNullLeafHash()
    {
        byte[][] leaves = [MerkleHash.Leaf([1]), null!];

        Assert.Throws<ArgumentException>(() => MerkleTree.Root(leaves));
    }

    [Fact]
    public void InclusionProof_InTreeOfOneLeaf_IsEmpty() =>
        Assert.Empty(MerkleTree.InclusionProof(KnownLeafHashes(1), 0));

    [Fact]
    public void InclusionProof_ForLeaf2Of5_MatchesRfc6962TestVector()
    {
        var proof = MerkleTree.InclusionProof(KnownLeafHashes(5), 1);

        Assert.Equal(ReferenceTreeVectors.InclusionCase(1, 5).Proof, proof);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(3, -1)]
    [InlineData(3, 4)]
    public void InclusionProof_IndexOutsideTree_Throws(int size, long index) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(MerkleGen.Leaves(size, 1), index));

    [Fact]
    public void ConsistencyProof_FromSameSize_IsEmpty() =>
        Assert.Empty(MerkleTree.ConsistencyProof(MerkleGen.Leaves(5, 1), 5));

    [Fact]
    public void ConsistencyProof_From6To8_MatchesRfc6962TestVector()
    {
        var proof = MerkleTree.ConsistencyProof(KnownLeafHashes(8), 6);

        Assert.Equal(ReferenceTreeVectors.ConsistencyProof(6, 8), proof);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(5, -1)]
    [InlineData(5, 6)]
    public void ConsistencyProof_OldSizeOutsideOneToSize_Throws(int size, long oldSize) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProof(MerkleGen.Leaves(size, 1), oldSize));
}
