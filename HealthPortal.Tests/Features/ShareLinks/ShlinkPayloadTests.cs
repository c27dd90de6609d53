using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Features.ShareLinks;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Features.ShareLinks;

public sealed class ShlinkPayloadTests
{
    // The payload of the specification's example link (SMART Health Links, "Example SHLink generation").
    private const string SpecUrl = "https://ehr.example.org/qr/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM/m";
    private const string SpecKey = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q";
    private const string SpecLabel = "Back-to-school immunizations for Oliver Brown";

    private static string Link(JsonObject payload) => "shlink:/" + Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));

    [Fact]
    public void Decode_ReadsTheSpecExamplePayload()
    {
        var link = Link(new JsonObject { ["url"] = SpecUrl, ["flag"] = "LP", ["key"] = SpecKey, ["label"] = SpecLabel });

        var decoded = ShlinkPayload.Decode(link);

        Assert.True(decoded.IsOk, decoded.Message);
        Assert.Equal(SpecUrl, decoded.Value!.Url);
        Assert.Equal(SpecKey, decoded.Value.Key);
        Assert.Equal("LP", decoded.Value.Flag);
        Assert.True(decoded.Value.NeedsPasscode);
        Assert.Equal(SpecLabel, decoded.Value.Label);
        Assert.Equal(32, decoded.Value.KeyBytes().Length);
    }

    [Fact]
    public void EncodeThenDecode_GivesTheSamePayload_WithAViewerPrefix()
    {
        var payload = new ShlinkPayload(SpecUrl, SpecKey, 1_800_000_000, "P", "For Dr. Tan", 1);

        var link = payload.Encode("https://portal.example.org/shl/view");

        Assert.StartsWith("https://portal.example.org/shl/view#shlink:/", link);
        Assert.Equal(payload, ShlinkPayload.Decode(link).Value);
    }

    [Fact]
    public void Encode_WritesOnlyTheSpecFields_LeavingOutEmptyOnes()
    {
        var link = new ShlinkPayload(SpecUrl, SpecKey).Encode();

        var json = JsonNode.Parse(Base64Url.Decode(link["shlink:/".Length..]))!.AsObject();

        Assert.Equal(["url", "key"], json.Select(p => p.Key));
    }

    [Theory]
    [InlineData("https://example.org/no-link-here")]
    [InlineData("shlink:/not base64!")]
    public void Decode_RefusesWhatIsNotALink(string text) =>
        Assert.Equal(ShareLinkError.MalformedLink, ShlinkPayload.Decode(text).Error);

    [Fact]
    public void Decode_RefusesAShortKey() =>
        Assert.False(ShlinkPayload.Decode(Link(new JsonObject { ["url"] = SpecUrl, ["key"] = SpecKey[..40] })).IsOk);

    [Fact]
    public void Decode_RefusesAnUnknownFlag() =>
        Assert.False(ShlinkPayload.Decode(Link(new JsonObject { ["url"] = SpecUrl, ["key"] = SpecKey, ["flag"] = "LX" })).IsOk);

    [Fact]
    public void Decode_RefusesALabelOver80Characters() =>
        Assert.False(ShlinkPayload.Decode(Link(new JsonObject { ["url"] = SpecUrl, ["key"] = SpecKey, ["label"] = new string('a', 81) })).IsOk);
}
