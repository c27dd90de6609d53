using System.Text.Json;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Merkle;

/// <summary>
/// The transparency-dev/merkle proof vectors (shared/testdata/merkle, read in place): each JSON file is
/// one case, reported by its path relative to that folder.
/// </summary>
public class MerkleVectorTests
{
    public static TheoryData<string> InclusionVectors => Vectors("inclusion");

    public static TheoryData<string> ConsistencyVectors => Vectors("consistency");

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void InclusionVector_IsValidExactlyWhenNoErrorIsWanted(string vector)
    {
        using var json = Load(vector);
        var probe = json.RootElement;

        var result = MerkleVerifier.VerifyInclusion(
            Number(probe, "leafIdx"), Number(probe, "treeSize"), Bytes(probe, "leafHash"), Proof(probe), Bytes(probe, "root"));

        AssertOutcome(probe, result);
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void ConsistencyVector_IsValidExactlyWhenNoErrorIsWanted(string vector)
    {
        using var json = Load(vector);
        var probe = json.RootElement;

        var result = MerkleVerifier.VerifyConsistency(
            Number(probe, "size1"), Number(probe, "size2"), Proof(probe), Bytes(probe, "root1"), Bytes(probe, "root2"));

        AssertOutcome(probe, result);
    }

    [Fact]
    public void EveryFileOnDisk_IsLoadedAsACase()
    {
        var onDisk = Directory.GetFiles(TestData.Path("merkle", "inclusion"), "*", SearchOption.AllDirectories).Length
                     + Directory.GetFiles(TestData.Path("merkle", "consistency"), "*", SearchOption.AllDirectories).Length;

        var seen = InclusionVectors.Count<object[]>() + ConsistencyVectors.Count<object[]>();

        Assert.True(onDisk > 0, "no Merkle vectors found on disk");
        Assert.Equal(onDisk, seen);
    }

    private static TheoryData<string> Vectors(string kind)
    {
        var root = TestData.Path("merkle");
        var files = Directory.GetFiles(System.IO.Path.Combine(root, kind), "*.json", SearchOption.AllDirectories)
            .Select(file => System.IO.Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        return new TheoryData<string>(files);
    }

    private static JsonDocument Load(string vector) => JsonDocument.Parse(File.ReadAllBytes(TestData.Path("merkle", vector)));

    private static void AssertOutcome(JsonElement probe, MerkleProofResult result)
    {
        var description = probe.GetProperty("desc").GetString();
        if (probe.GetProperty("wantErr").GetBoolean())
        {
            Assert.False(result.IsValid, $"'{description}' was accepted but should be rejected");
            Assert.False(string.IsNullOrEmpty(result.Message), $"'{description}' was rejected ({result.Error}) without a message");
        }
        else
        {
            Assert.True(result.IsValid, $"'{description}' was rejected: {result.Error}: {result.Message}");
        }
    }

    // Sizes and indices are uint64 in the vectors; values past long.MaxValue (the "leafIdx sub @1"
    // underflow cases) wrap to negative numbers, which the verifier must reject like any bad index.
    private static long Number(JsonElement probe, string name) => unchecked((long)probe.GetProperty(name).GetUInt64());

    // Go encodes []byte as base64; nil as null.
    private static byte[] Bytes(JsonElement probe, string name) =>
        probe.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetBytesFromBase64() : [];

    private static byte[][] Proof(JsonElement probe) =>
        probe.GetProperty("proof") is { ValueKind: JsonValueKind.Array } proof
            ? proof.EnumerateArray().Select(hash => hash.ValueKind == JsonValueKind.Null ? [] : hash.GetBytesFromBase64()).ToArray()
            : [];
}
