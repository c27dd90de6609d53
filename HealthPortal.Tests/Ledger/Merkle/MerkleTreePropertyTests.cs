using CsCheck;
using HealthPortal.Ledger.Merkle;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Merkle;

/// <summary>The optimised tree agrees with the literal RFC 6962 reference for every size 0..300.</summary>
public class MerkleTreePropertyTests(ITestOutputHelper output)
{
    private const int Iterations = 1_000;

    [Fact]
    public void Root_EqualsReferenceMth() =>
        MerkleGen.Tree().Sample((size, salt) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            Assert.Equal(ReferenceMerkle.Mth(leaves), MerkleTree.Root(leaves));
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void InclusionProof_EqualsReferencePath() =>
        MerkleGen.TreeAndIndex().Sample((size, salt, index) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            Assert.Equal(ReferenceMerkle.Path(index, leaves), MerkleTree.InclusionProof(leaves, index));
        }, writeLine: output.WriteLine, iter: Iterations);

    [Fact]
    public void ConsistencyProof_EqualsReferenceSubproof() =>
        MerkleGen.TreeAndOldSize().Sample((size, salt, oldSize) =>
        {
            var leaves = MerkleGen.Leaves(size, salt);
            Assert.Equal(ReferenceMerkle.Proof(oldSize, leaves), MerkleTree.ConsistencyProof(leaves, oldSize));
        }, writeLine: output.WriteLine, iter: Iterations);
}
