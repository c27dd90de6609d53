using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Tests.Ledger.Merkle;

public class MerkleTreeTests
{
    // The leaves and roots of the Certificate Transparency / transparency-dev reference tests (RFC 6962).
    private static readonly string[] KnownLeafData =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] KnownRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static byte[][] KnownLeafHashes(int count) =>
        KnownLeafData.Take(count).Select(hex => MerkleHash.Leaf(Convert.FromHexString(hex))).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Root_MatchesRfc6962TestVector(int size) =>
        Assert.Equal(KnownRoots[size - 1], Convert.ToHexStringLower(MerkleTree.Root(KnownLeafHashes(size))));

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

        Assert.Equal(
            ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
            proof.Select(Convert.ToHexStringLower));
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

        Assert.Equal(
            ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
            proof.Select(Convert.ToHexStringLower));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(5, -1)]
    [InlineData(5, 6)]
    public void ConsistencyProof_OldSizeOutsideOneToSize_Throws(int size, long oldSize) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProof(MerkleGen.Leaves(size, 1), oldSize));
}
