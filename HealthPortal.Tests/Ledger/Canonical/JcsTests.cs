using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Tests.Ledger.Canonical;

public sealed class JcsTests
{
    private const string FloatError = "floating-point numbers are not allowed; use a string or an integer";

    private static string Canonical(string json)
    {
        var result = Jcs.Canonicalize(json);
        Assert.True(result.IsSuccess, result.Error);
        return Encoding.UTF8.GetString(result.Bytes);
    }

    private static string Refusal(string json)
    {
        var result = Jcs.Canonicalize(json);
        Assert.False(result.IsSuccess);
        Assert.Null(result.Bytes);
        return result.Error!;
    }

    private static string Refusal(JsonNode? node)
    {
        var result = Jcs.Canonicalize(node);
        Assert.False(result.IsSuccess);
        return result.Error!;
    }

    [Fact]
    public void Canonicalize_SortsEuroSignBeforeSurrogatePair()
    {
        // U+20AC is the code unit 0x20AC; U+1F600 is the pair 0xD83D 0xDE00.
        Assert.Equal("{\"\u20ac\":1,\"\ud83d\ude00\":2}", Canonical("{\"\\ud83d\\ude00\":2,\"\\u20ac\":1}"));
    }

    [Fact]
    public void Canonicalize_SortsMembersByUtf16CodeUnits_NotCodePoints()
    {
        // By code point U+E000 < U+10000, but U+10000 is the pair 0xD800 0xDC00 and 0xD800 < 0xE000.
        Assert.Equal("{\"\ud800\udc00\":1,\"\ue000\":2}", Canonical("{\"\\ue000\":2,\"\\ud800\\udc00\":1}"));
    }

    [Fact]
    public void Canonicalize_SortsNestedObjectsAndKeepsArrayOrder()
    {
        Assert.Equal("{\"a\":[3,1,2],\"b\":{\"A\":true,\"a\":false}}", Canonical("{ \"b\": {\"a\": false, \"A\": true}, \"a\": [3, 1, 2] }"));
    }

    [Fact]
    public void Canonicalize_EscapesOnlyQuoteBackslashAndControls()
    {
        Assert.Equal(
            "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\\u000b/\u007f\u00e9\u20ac\ud83d\ude00<>&'\"",
            Canonical("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001F\\u000B\\/\\u007f\\u00e9\\u20AC\\ud83d\\ude00<>&'\""));
    }

    [Fact]
    public void Canonicalize_WritesNonAsciiAsRawUtf8()
    {
        var result = Jcs.Canonicalize("\"\\u00e9\"");
        Assert.Equal(new byte[] { 0x22, 0xC3, 0xA9, 0x22 }, result.Bytes);
    }

    [Fact]
    public void Canonicalize_RefusesDuplicateMembers()
    {
        Assert.Equal("$.body: duplicate member \"dose\"", Refusal("{\"body\":{\"dose\":\"1\",\"dose\":\"2\"}}"));
    }

    [Fact]
    public void Canonicalize_RefusesDuplicatesSpelledWithDifferentEscapes()
    {
        Assert.Contains("duplicate member \"a\"", Refusal("{\"a\":1,\"\\u0061\":1}"));
    }

    [Fact]
    public void Canonicalize_RefusesDuplicatesInParsedJsonNode()
    {
        Assert.Contains("duplicate", Refusal(JsonNode.Parse("{\"a\":1,\"a\":2}")));
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"a\\ud83d\"")]
    [InlineData("\"\\ude00\\ud83d\"")]
    public void Canonicalize_RefusesLoneSurrogateInString(string json)
    {
        Assert.Contains("lone surrogate", Refusal(json));
    }

    [Fact]
    public void Canonicalize_RefusesLoneSurrogateInMemberName()
    {
        Assert.Contains("lone surrogate", Refusal("{\"\\ud800\":1}"));
    }

    [Fact]
    public void Canonicalize_RefusesUnescapedLoneSurrogateInText()
    {
        Assert.Contains("lone surrogate", Refusal("\"\ud800\""));
    }

    [Fact]
    public void Canonicalize_RefusesLoneSurrogateInBuiltNode()
    {
        Assert.Equal("$.name: string contains a lone surrogate", Refusal(new JsonObject { ["name"] = "x\udc00" }));
        Assert.Contains("lone surrogate", Refusal(new JsonObject { ["\ud800"] = 1 }));
    }

    [Fact]
    public void Canonicalize_AcceptsLongExtremes()
    {
        Assert.Equal("[9223372036854775807,-9223372036854775808,0,-1]",
            Canonical("[9223372036854775807, -9223372036854775808, 0, -1]"));
    }

    [Fact]
    public void Canonicalize_WritesNegativeZeroAsZero()
    {
        Assert.Equal("0", Canonical("-0"));
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("100000000000000000000000000000")]
    public void Canonicalize_RefusesIntegersOutsideLong(string number)
    {
        Assert.Contains("does not fit in a 64-bit signed integer", Refusal("{\"n\":" + number + "}"));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.5")]
    [InlineData("1e2")]
    [InlineData("1E2")]
    [InlineData("1e-2")]
    [InlineData("-0.0")]
    [InlineData("0.1")]
    public void Canonicalize_RefusesFloats(string number)
    {
        Assert.Equal("$: " + FloatError, Refusal(number));
    }

    [Fact]
    public void Canonicalize_NamesPathOfFloat()
    {
        Assert.Equal("$.body.dose: " + FloatError, Refusal("{\"type\":\"record.anchor\",\"body\":{\"dose\":1.5}}"));
    }

    [Fact]
    public void Canonicalize_NamesPathThroughArraysAndOddMemberNames()
    {
        Assert.Equal("$.body.items[2][\"unit price\"]: " + FloatError,
            Refusal("{\"body\":{\"items\":[{},{},{\"unit price\":2.50}]}}"));
    }

    [Fact]
    public void Canonicalize_RefusesFloatInBuiltNode()
    {
        var body = new JsonObject { ["body"] = new JsonObject { ["dose"] = 1.5 } };
        Assert.Equal("$.body.dose: " + FloatError, Refusal(body));
        Assert.Equal("$[0]: " + FloatError, Refusal(new JsonArray(JsonValue.Create(2.0))));
        Assert.Equal("$: " + FloatError, Refusal(JsonValue.Create(1m)));
    }

    [Fact]
    public void Canonicalize_RefusesOtherClrValuesInBuiltNode()
    {
        Assert.Contains("System.Guid", Refusal(new JsonObject { ["id"] = JsonValue.Create(Guid.Empty) }));
        Assert.Contains("System.DateTimeOffset", Refusal(JsonValue.Create(DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public void Canonicalize_AcceptsIntegralClrTypesInBuiltNode()
    {
        var node = new JsonArray(
            JsonValue.Create((byte)1), JsonValue.Create((sbyte)-2), JsonValue.Create((short)3), JsonValue.Create((ushort)4),
            JsonValue.Create(5), JsonValue.Create(6u), JsonValue.Create(7L), JsonValue.Create((ulong)long.MaxValue));
        Assert.Equal("[1,-2,3,4,5,6,7,9223372036854775807]", Encoding.UTF8.GetString(Jcs.CanonicalizeOrThrow(node)));
    }

    [Fact]
    public void Canonicalize_RefusesUlongAboveLong()
    {
        Assert.Contains("does not fit", Refusal(JsonValue.Create(ulong.MaxValue)));
    }

    [Fact]
    public void Canonicalize_TreatsNullNodeAsJsonNull()
    {
        Assert.Equal("null"u8.ToArray(), Jcs.Canonicalize((JsonNode?)null).Bytes);
        Assert.Equal("{\"a\":null}", Encoding.UTF8.GetString(Jcs.CanonicalizeOrThrow(new JsonObject { ["a"] = null })));
    }

    [Fact]
    public void Canonicalize_BuiltNodeAndParsedTextGiveSameBytes()
    {
        var built = new JsonObject
        {
            ["type"] = "grant.issue",
            ["body"] = new JsonObject { ["nonce"] = "n1", ["ts"] = 1_700_000_000_000L, ["ok"] = true, ["cats"] = new JsonArray("lab", "visit") },
        };
        Assert.Equal(Jcs.CanonicalizeOrThrow(built), Jcs.Canonicalize(built.ToJsonString()).Bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1} x")]
    [InlineData("/* c */ 1")]
    [InlineData("'a'")]
    [InlineData("NaN")]
    [InlineData("01")]
    public void Canonicalize_RefusesInvalidJson(string json)
    {
        Assert.StartsWith("invalid JSON", Refusal(json));
    }

    [Fact]
    public void Canonicalize_AcceptsNestingUpToMaxDepth()
    {
        var json = new string('[', Jcs.MaxDepth) + new string(']', Jcs.MaxDepth);
        Assert.Equal(json, Canonical(json));
    }

    [Fact]
    public void Canonicalize_RefusesNestingBeyondMaxDepth()
    {
        var json = new string('[', Jcs.MaxDepth + 1) + new string(']', Jcs.MaxDepth + 1);
        Refusal(json);

        JsonNode node = new JsonArray();
        for (var i = 0; i < Jcs.MaxDepth; i++) node = new JsonArray(node);
        Assert.Contains("deeper than", Refusal(node));
    }

    [Fact]
    public void CanonicalizeOrThrow_ThrowsArgumentExceptionNamingPath()
    {
        var e = Assert.Throws<ArgumentException>(() => Jcs.CanonicalizeOrThrow(new JsonObject { ["x"] = 0.5 }));
        Assert.StartsWith("$.x: " + FloatError, e.Message);
    }

    [Fact]
    public void Canonicalize_LargeDocumentIsCorrect()
    {
        // Beyond the per-thread buffer that is kept between calls.
        var big = new JsonArray();
        for (var i = 0; i < 20_000; i++) big.Add(new JsonObject { ["i"] = i, ["s"] = "v\n" + i });
        Assert.Equal(ReferenceJcs.Serialize(big), Jcs.CanonicalizeOrThrow(big));
        Assert.Equal("[1]", Encoding.UTF8.GetString(Jcs.CanonicalizeOrThrow(new JsonArray(1))));
    }
}
