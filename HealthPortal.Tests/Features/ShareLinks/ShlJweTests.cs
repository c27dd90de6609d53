using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Features.ShareLinks;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Features.ShareLinks;

public sealed class ShlJweTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Bundle = Encoding.UTF8.GetBytes("""{"resourceType":"Bundle","type":"collection","entry":[]}""");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EncryptThenDecrypt_RoundTrips(bool deflate)
    {
        var jwe = ShlJwe.Encrypt(Key, Bundle, deflate);

        Assert.Equal(Bundle, ShlJwe.Decrypt(Key, jwe).Value);
    }

    [Fact]
    public void Encrypt_HasTheSpecStructure_DirA256GcmWithEmptyKey96BitIvAnd128BitTag()
    {
        var parts = ShlJwe.Encrypt(Key, Bundle, deflate: true).Split('.');

        Assert.Equal(5, parts.Length);
        var header = JsonNode.Parse(Base64Url.Decode(parts[0]))!.AsObject();
        Assert.Equal("dir", (string?)header["alg"]);
        Assert.Equal("A256GCM", (string?)header["enc"]);
        Assert.Equal("DEF", (string?)header["zip"]);
        Assert.Equal("", parts[1]);
        Assert.Equal(12, Base64Url.Decode(parts[2]).Length);
        Assert.Equal(16, Base64Url.Decode(parts[4]).Length);
    }

    [Fact]
    public void Decrypt_WithAnotherKey_Fails() =>
        Assert.Equal(ShareLinkError.MalformedCiphertext, ShlJwe.Decrypt(RandomNumberGenerator.GetBytes(32), ShlJwe.Encrypt(Key, Bundle)).Error);

    [Fact]
    public void Decrypt_WithAChangedHeader_Fails()
    {
        // The protected header is the additional data: swapping it for an equivalent one breaks the tag.
        var parts = ShlJwe.Encrypt(Key, Bundle).Split('.');
        parts[0] = Base64Url.Encode(Encoding.UTF8.GetBytes("""{"enc":"A256GCM","alg":"dir"}"""));

        Assert.False(ShlJwe.Decrypt(Key, string.Join('.', parts)).IsOk);
    }

    [Theory]
    [InlineData("a.b.c.d")]
    [InlineData("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.notempty.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA")]
    public void Inspect_RefusesWhatIsNotACompactDirJwe(string text) =>
        Assert.Equal(ShareLinkError.MalformedCiphertext, ShlJwe.Inspect(text).Error);

    [Fact]
    public void Inspect_RefusesAnotherAlgorithm()
    {
        var parts = ShlJwe.Encrypt(Key, Bundle).Split('.');
        parts[0] = Base64Url.Encode(Encoding.UTF8.GetBytes("""{"alg":"RSA-OAEP","enc":"A256GCM"}"""));

        Assert.False(ShlJwe.Inspect(string.Join('.', parts)).IsOk);
    }

    [Fact]
    public void Inspect_ReportsTheShapeWithoutTheKey()
    {
        var shape = ShlJwe.Inspect(ShlJwe.Encrypt(Key, Bundle, contentType: "application/fhir+json")).Value!;

        Assert.Equal(("dir", "A256GCM", "application/fhir+json", Bundle.Length), (shape.Alg, shape.Enc, shape.Cty, shape.CiphertextBytes));
    }
}
