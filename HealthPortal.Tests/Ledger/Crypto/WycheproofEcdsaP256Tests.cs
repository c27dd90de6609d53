using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Crypto;

/// <summary>
/// Wycheproof ECDSA P-256/SHA-256 vectors in IEEE P1363 form, read in place from
/// <c>../shared/testdata/wycheproof</c>. Each tcId runs as its own case.
/// </summary>
/// <remarks>
/// "valid" must verify and "invalid" must not. Wycheproof also has an "acceptable" verdict
/// (legacy encodings a library may accept); the ledger takes the strict side and expects those
/// to be rejected, so every node reaches the same answer. This file has no "acceptable" case.
/// </remarks>
public sealed class WycheproofEcdsaP256Tests
{
    private const string FileName = "ecdsa_secp256r1_sha256_p1363_test.json";
    private const int ExpectedCaseCount = 262;

    private static readonly Lazy<VectorFile> Vectors = new(Load);
    private static readonly PublicKeyCache Cache = new();

    public static TheoryData<int, string> Cases
    {
        get
        {
            var data = new TheoryData<int, string>();
            foreach (var c in Vectors.Value.Cases) data.Add(c.TcId, c.Comment);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verify_GivesExpectedResult(int tcId, string comment)
    {
        var c = Vectors.Value.Cases.Single(x => x.TcId == tcId);

        Assert.True(Cache.Verify(c.Key, c.Message, c.Signature) == c.ShouldVerify,
            $"tcId {tcId} ({comment}; flags {string.Join(",", c.Flags)}): expected {c.Result}");

        using var imported = ECDsa.Create(c.Key.ToParameters());
        Assert.True(Es256.Verify(imported, c.Message, c.Signature) == c.ShouldVerify,
            $"tcId {tcId} ({comment}) through Es256.Verify: expected {c.Result}");
    }

    [Fact]
    public void AllCases_AreSeenAndGiveExpectedResults()
    {
        var vectors = Vectors.Value;
        Assert.Equal(ExpectedCaseCount, vectors.DeclaredCount);
        Assert.Equal(ExpectedCaseCount, vectors.Cases.Count);
        Assert.Equal(ExpectedCaseCount, vectors.Cases.Select(c => c.TcId).Distinct().Count());
        Assert.All(vectors.Cases, c => Assert.Contains(c.Result, new[] { "valid", "invalid", "acceptable" }));

        var agreeing = vectors.Cases.Count(c => Cache.Verify(c.Key, c.Message, c.Signature) == c.ShouldVerify);
        Assert.Equal(ExpectedCaseCount, agreeing);
    }

    [Fact]
    public void GroupJwks_AgreeWithUncompressedPoints()
    {
        foreach (var group in Vectors.Value.Groups)
        {
            var fromPoint = FromUncompressedPoint(group);
            if (group["publicKeyJwk"] is JsonObject jwk)
            {
                Assert.True(Jwk.TryParse(jwk, out var parsed, out var error), error);
                Assert.Equal(fromPoint, parsed);
            }
        }
    }

    private static VectorFile Load()
    {
        var root = JsonNode.Parse(File.ReadAllText(TestData.Path("wycheproof", FileName)))!.AsObject();
        var groups = root["testGroups"]!.AsArray().Select(g => g!.AsObject()).ToList();
        var cases = new List<VectorCase>();
        foreach (var group in groups)
        {
            // Some groups carry no JWK; the uncompressed point is always there.
            var key = FromUncompressedPoint(group);
            foreach (var test in group["tests"]!.AsArray())
            {
                cases.Add(new VectorCase(
                    (int)test!["tcId"]!,
                    (string)test["comment"]!,
                    (string)test["result"]!,
                    test["flags"]!.AsArray().Select(f => (string)f!).ToArray(),
                    key,
                    Convert.FromHexString((string)test["msg"]!),
                    Convert.FromHexString((string)test["sig"]!)));
            }
        }
        return new VectorFile((int)root["numberOfTests"]!, groups, cases);
    }

    private static Jwk FromUncompressedPoint(JsonObject group)
    {
        var point = Convert.FromHexString((string)group["publicKey"]!["uncompressed"]!);
        Assert.Equal(65, point.Length);
        Assert.Equal(0x04, point[0]);
        var json = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.Encode(point.AsSpan(1, 32)),
            ["y"] = Base64Url.Encode(point.AsSpan(33, 32)),
        };
        Assert.True(Jwk.TryParse(json, out var jwk, out var error), error);
        return jwk;
    }

    private sealed record VectorFile(int DeclaredCount, IReadOnlyList<JsonObject> Groups, IReadOnlyList<VectorCase> Cases);

    private sealed record VectorCase(int TcId, string Comment, string Result, string[] Flags, Jwk Key, byte[] Message, byte[] Signature)
    {
        public bool ShouldVerify => Result == "valid"; // "acceptable" is rejected: see the class remarks
    }
}
