using System.Text.Json.Nodes;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Merkle;

/// <summary>
/// The transparency-dev happy-path cases in <c>../shared/testdata/merkle</c>, read in place. They are built over the
/// Certificate Transparency reference leaves (<see cref="LeafData"/>), so they give known roots and proofs for those
/// trees without copying any value into the repository.
/// </summary>
internal static class ReferenceTreeVectors
{
    /// <summary>The leaf inputs of the CT / transparency-dev reference tree (RFC 6962 tests).</summary>
    public static readonly string[] LeafData =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly Lazy<IReadOnlyList<JsonObject>> Inclusion = new(() => HappyPaths("inclusion"));
    private static readonly Lazy<IReadOnlyList<JsonObject>> Consistency = new(() => HappyPaths("consistency"));

    /// <summary>Tree size → root, from every happy-path case that names one.</summary>
    public static IReadOnlyDictionary<long, byte[]> Roots()
    {
        var roots = new SortedDictionary<long, byte[]>();
        foreach (var c in Inclusion.Value) roots[(long)c["treeSize"]!] = Bytes(c["root"]);
        foreach (var c in Consistency.Value)
        {
            roots[(long)c["size1"]!] = Bytes(c["root1"]);
            roots[(long)c["size2"]!] = Bytes(c["root2"]);
        }
        return roots;
    }

    public static (long Index, long Size, IReadOnlyList<byte[]> Proof) InclusionCase(long index, long size)
    {
        var c = Inclusion.Value.Single(c => (long)c["leafIdx"]! == index && (long)c["treeSize"]! == size);
        return (index, size, Proofs(c));
    }

    public static IReadOnlyList<byte[]> ConsistencyProof(long size1, long size2)
        => Proofs(Consistency.Value.Single(c => (long)c["size1"]! == size1 && (long)c["size2"]! == size2));

    private static IReadOnlyList<byte[]> Proofs(JsonObject c)
        => c["proof"] is JsonArray proof ? [.. proof.Select(Bytes)] : [];

    private static byte[] Bytes(JsonNode? node) => Convert.FromBase64String((string)node!);

    private static IReadOnlyList<JsonObject> HappyPaths(string kind)
        => [.. Directory.GetFiles(TestData.Path("merkle", kind), "happy-path.json", SearchOption.AllDirectories)
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject())];
}
