using System.Security.Cryptography;
using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Tests.Ledger.Merkle;

public class MerkleHashTests
{
    [Fact]
    public void Empty_IsSha256OfTheEmptyString() =>
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleHash.Empty()));

    [Fact]
    public void Leaf_OfEmptyData_MatchesRfc6962TestVector() =>
        Assert.Equal(ReferenceTreeVectors.Roots()[1], MerkleHash.Leaf([])); // the reference tree's first leaf is empty

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(10_000)]
    public void Leaf_IsSha256OfZeroPrefixedData_OnBothShortAndLongPaths(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);

        Assert.Equal(SHA256.HashData([0x00, .. data]), MerkleHash.Leaf(data));
        Assert.Equal(SHA256.HashData([0x00, .. data]), MerkleHash.Leaf(data)); // the per-thread hasher was reset
    }

    [Fact]
    public void Node_IsSha256OfOnePrefixedChildren()
    {
        var left = MerkleHash.Leaf([1]);
        var right = MerkleHash.Leaf([2]);

        Assert.Equal(SHA256.HashData([0x01, .. left, .. right]), MerkleHash.Node(left, right));
    }

    [Fact]
    public void Node_OfLeafHashes_MatchesRfc6962TestVector() =>
        Assert.Equal(ReferenceTreeVectors.Roots()[2], MerkleHash.Node(MerkleHash.Leaf([]), MerkleHash.Leaf([0x00])));

    [Fact]
    public void Node_WritingOverItsLeftChild_GivesTheSameHash()
    {
        var left = MerkleHash.Leaf([1]);
        var right = MerkleHash.Leaf([2]);
        var expected = MerkleHash.Node(left, right);

        MerkleHash.Node(left, right, left);

        Assert.Equal(expected, left);
    }

    [Fact]
    public void LeafAndNode_OfTheSameBytes_Differ()
    {
        var left = MerkleHash.Leaf([1]);
        var right = MerkleHash.Leaf([2]);

        Assert.NotEqual(MerkleHash.Node(left, right), MerkleHash.Leaf([.. left, .. right]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Node_RejectsChildOfWrongLength(int length)
    {
        var good = new byte[MerkleHash.Size];

        Assert.Throws<ArgumentException>(() => MerkleHash.Node(new byte[length], good));
        Assert.Throws<ArgumentException>(() => MerkleHash.Node(good, new byte[length]));
    }

    [Fact]
    public void SpanOverloads_RejectShortDestination()
    {
        var good = new byte[MerkleHash.Size];

        Assert.Throws<ArgumentException>(() => MerkleHash.Leaf([1], new byte[MerkleHash.Size - 1]));
        Assert.Throws<ArgumentException>(() => MerkleHash.Node(good, good, new byte[MerkleHash.Size - 1]));
    }
}
