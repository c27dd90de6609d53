using System.Numerics;
using CsCheck;
using HealthPortal.Ledger.Merkle;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Merkle;

public class MerkleAccumulatorTests(ITestOutputHelper output)
{
    private const int Iterations = 1_000;

    [Fact]
    public void NewAccumulator_IsTheEmptyTree()
    {
        var accumulator = new MerkleAccumulator();

        Assert.Equal(0, accumulator.Size);
        Assert.Empty(accumulator.Frontier);
        Assert.Equal(MerkleHash.Empty(), accumulator.Root());
    }

    [Fact]
    public void Append_OneLeaf_RootIsThatLeafHash()
    {
        var accumulator = new MerkleAccumulator();
        var leaf = MerkleHash.Leaf([1]);

        accumulator.Append(leaf);

        Assert.Equal(1, accumulator.Size);
        Assert.Equal(leaf, accumulator.Root());
    }

    [Fact]
    public void Append_CopiesTheLeafHash()
    {
        var accumulator = new MerkleAccumulator();
        var leaf = MerkleHash.Leaf([1]);
        var expected = (byte[])leaf.Clone();

        accumulator.Append(leaf);
        leaf[0] ^= 1;

        Assert.Equal(expected, accumulator.Root());
    }

    [Fact]
    public void Frontier_ReturnsCopies()
    {
        var accumulator = new MerkleAccumulator();
        accumulator.Append(MerkleHash.Leaf([1]));
        var before = accumulator.Root();

        accumulator.Frontier[0][0] ^= 1;

        Assert.Equal(before, accumulator.Root());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Append_RejectsHashOfWrongLength(int length) =>
        Assert.Throws<ArgumentException>(() => new MerkleAccumulator().Append(new byte[length]));

    [Fact]
    public void FromFrontier_RejectsNegativeSize() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleAccumulator.FromFrontier(-1, []));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(5, 1)]  // 5 = 4 + 1 needs two subtree roots
    [InlineData(5, 3)]
    [InlineData(8, 0)]
    public void FromFrontier_RejectsWrongNumberOfHashes(long size, int count) =>
        Assert.Throws<ArgumentException>(() => MerkleAccumulator.FromFrontier(size, MerkleGen.Leaves(count, 1)));

    [Fact]
    public void FromFrontier_RejectsHashOfWrongLength() =>
        Assert.Throws<ArgumentException>(() => MerkleAccumulator.FromFrontier(3, [MerkleHash.Leaf([1]), new byte[31]]));

    [Fact]
    public void Root_EqualsMerkleTreeRoot_AfterEveryAppend() =>
        MerkleGen.Tree().Sample((size, salt) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            var accumulator = new MerkleAccumulator();
            for (var i = 0; i < size; i++)
            {
                accumulator.Append(leaves[i]);
                Assert.Equal(i + 1, accumulator.Size);
                Assert.Equal(MerkleTree.Root(leaves[..(i + 1)]), accumulator.Root());
            }
        }, writeLine: output.WriteLine, iter: Iterations);

    // The persisted form is exactly the RFC 6962 compact range [0, size): the roots of the perfect
    // subtrees given by the set bits of size, largest first.
    [Fact]
    public void Frontier_IsTheRootsOfThePerfectSubtreesCoveringTheLeaves() =>
        MerkleGen.Tree().Sample((size, salt) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            var accumulator = new MerkleAccumulator();
            foreach (var leaf in leaves) accumulator.Append(leaf);

            var expected = new List<byte[]>();
            for (int start = 0, bit = 1 << 30; bit > 0; bit >>= 1)
            {
                if ((size & bit) == 0) continue;
                expected.Add(MerkleTree.Root(leaves[start..(start + bit)]));
                start += bit;
            }

            Assert.Equal(BitOperations.PopCount((uint)size), accumulator.Frontier.Count);
            Assert.Equal(expected, accumulator.Frontier);
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void FromFrontier_RoundTripsAndKeepsGrowingLikeTheOriginal() =>
        MerkleGen.TreeAndOldSize().Sample((size, salt, splitAt) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            var original = new MerkleAccumulator();
            foreach (var leaf in leaves[..splitAt]) original.Append(leaf);

            var restored = MerkleAccumulator.FromFrontier(original.Size, original.Frontier);

            Assert.Equal(original.Size, restored.Size);
            Assert.Equal(original.Frontier, restored.Frontier);
            Assert.Equal(original.Root(), restored.Root());
            foreach (var leaf in leaves[splitAt..])
            {
                original.Append(leaf);
                restored.Append(leaf);
            }
            Assert.Equal(MerkleTree.Root(leaves), restored.Root());
            Assert.Equal(original.Frontier, restored.Frontier);
        }, writeLine: output.WriteLine, iter: Iterations);
}
