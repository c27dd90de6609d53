using System.Security.Cryptography;
using CsCheck;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Merkle;

namespace HealthPortal.Tests.Ledger.Blocks;

/// <summary>The block tree precomputes every level for fast receipts; it must agree with the reference MerkleTree.</summary>
public sealed class BlockMerkleTreeTests
{
    [Fact]
    public void RootAndProofs_EqualMerkleTreeForEverySize()
    {
        Gen.Int[0, 300].Sample(size =>
        {
            var ids = Enumerable.Range(0, size).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();
            var leaves = ids.Select(id => MerkleHash.Leaf(id)).ToList();
            var tree = new BlockMerkleTree(ids);
            Assert.Equal(MerkleTree.Root(leaves), tree.Root);
            for (var i = 0; i < size; i++)
            {
                var proof = tree.InclusionProof(i);
                Assert.Equal(MerkleTree.InclusionProof(leaves, i), proof);
                Assert.True(MerkleVerifier.VerifyInclusion(i, size, leaves[i], proof, tree.Root).IsValid);
            }
        }, iter: 60);
    }

    [Fact]
    public void InclusionProof_RefusesIndexOutsideBlock()
    {
        var tree = new BlockMerkleTree([SHA256.HashData([1])]);
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(1));
    }
}
