using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Tests.Ledger.Canonical;

public sealed class JcsPropertyTests
{
    // Text mixing ASCII (controls, quotes, backslashes included), BMP characters on both sides of
    // the surrogate block, and supplementary characters, which sort differently by UTF-16 code
    // unit than by code point.
    private static readonly Gen<string> Text = Gen.OneOf<string>(
            Gen.Char['\0', '\u007f'].Select(c => c.ToString()),
            Gen.Char['\u0080', '\ud7ff'].Select(c => c.ToString()),
            Gen.Char['\ue000', '\uffff'].Select(c => c.ToString()),
            Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32),
            Gen.OneOf("a", "A", "\"", "\\", "€"))
        .Array[0, 6]
        .Select(parts => string.Concat(parts));

    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf<JsonNode?>(
        Gen.Const<JsonNode?>(() => null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
        Text.Select(s => (JsonNode?)JsonValue.Create(s)));

    private static Gen<JsonNode?> Node(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency<JsonNode?>(
            (3, Leaf),
            (1, Node(depth - 1).Array[0, 4].Select(items => (JsonNode?)new JsonArray(items))),
            (2, Gen.Select(Text, Node(depth - 1)).Array[0, 5].Select(members =>
            {
                var obj = new JsonObject();
                foreach (var (name, value) in members) obj[name] = value;
                return (JsonNode?)obj;
            })));

    private static readonly Gen<JsonNode?> Document = Node(4);

    [Fact]
    public void Canonicalize_MatchesSimpleReference_ForAnyAllowedTree()
    {
        Document.Sample(node =>
        {
            var result = Jcs.Canonicalize(node);
            Assert.True(result.IsSuccess, result.Error);
            Assert.Equal(ReferenceJcs.Serialize(node), result.Bytes);
        }, iter: 2000, print: n => n?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Canonicalize_OfSerializedText_EqualsCanonicalizeOfTree()
    {
        Document.Sample(node =>
        {
            var fromTree = Jcs.CanonicalizeOrThrow(node);
            var fromText = Jcs.Canonicalize(node?.ToJsonString() ?? "null");
            Assert.True(fromText.IsSuccess, fromText.Error);
            Assert.Equal(fromTree, fromText.Bytes);
        }, iter: 2000, print: n => n?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Canonicalize_IsIdempotent()
    {
        Document.Sample(node =>
        {
            var once = Jcs.CanonicalizeOrThrow(node);
            var twice = Jcs.Canonicalize(Encoding.UTF8.GetString(once));
            Assert.True(twice.IsSuccess, twice.Error);
            Assert.Equal(once, twice.Bytes);
        }, iter: 2000, print: n => n?.ToJsonString() ?? "null");
    }
}
