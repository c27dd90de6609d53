using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class JwkTests
{
    // The P-256 base point G (the curve's published generator, FIPS 186-4 D.1.2.3: the public key of d = 1);
    // its thumbprint below was computed outside .NET (Python hashlib) over the RFC 7638 member string.
    private const string KnownX = "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY";
    private const string KnownY = "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU";
    private const string KnownThumbprint = "xx0BcA-wMohw8atYDJOe6peGModklG2wRHBlXHMvl0M";

    private static JsonObject KnownJson() => new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = KnownX, ["y"] = KnownY };

    private static Jwk Parse(JsonNode? node)
    {
        Assert.True(Jwk.TryParse(node, out var jwk, out var error), error);
        return jwk;
    }

    private static string Refusal(JsonNode? node)
    {
        Assert.False(Jwk.TryParse(node, out var jwk, out var error));
        Assert.Null(jwk);
        Assert.False(string.IsNullOrEmpty(error));
        return error;
    }

    [Fact]
    public void Thumbprint_MatchesKnownValue()
    {
        Assert.Equal(KnownThumbprint, Parse(KnownJson()).Thumbprint());
    }

    [Fact]
    public void Thumbprint_IsSha256OfRequiredMembersInLexicographicOrder()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwk = Jwk.FromECDsa(key);

        // RFC 7638 §3.2: exactly crv, kty, x, y, in that order, no whitespace.
        var members = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + jwk.X + "\",\"y\":\"" + jwk.Y + "\"}";
        var expected = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(members)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(expected, jwk.Thumbprint());
    }

    [Fact]
    public void Thumbprint_IgnoresOptionalMembersAndTheirOrder()
    {
        var withExtras = new JsonObject
        {
            ["y"] = KnownY, ["key_ops"] = new JsonArray("verify"), ["ext"] = true,
            ["x"] = KnownX, ["kid"] = "device-1", ["crv"] = "P-256", ["kty"] = "EC",
        };
        Assert.Equal(KnownThumbprint, Parse(withExtras).Thumbprint());
    }

    [Fact]
    public void Thumbprint_OfWithCopyReflectsChangedMembers()
    {
        using var a = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var b = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwkA = Jwk.FromECDsa(a);
        var jwkB = Jwk.FromECDsa(b);
        _ = jwkA.Thumbprint(); // fill the cache before copying

        var copy = jwkA with { X = jwkB.X, Y = jwkB.Y };

        Assert.Equal(jwkB.Thumbprint(), copy.Thumbprint());
    }

    [Fact]
    public void Equals_IgnoresWhetherThumbprintWasComputed()
    {
        var a = new Jwk("EC", "P-256", KnownX, KnownY);
        var b = new Jwk("EC", "P-256", KnownX, KnownY);
        _ = a.Thumbprint();

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void ToJson_HasExactlyCrvKtyXY()
    {
        var json = Parse(KnownJson()).ToJson();
        Assert.Equal(["crv", "kty", "x", "y"], json.Select(m => m.Key).ToArray());
        Assert.Equal(KnownX, (string?)json["x"]);
    }

    [Fact]
    public void ToJson_ParsesBackToEqualKey()
    {
        var jwk = Parse(KnownJson());
        Assert.Equal(jwk, Parse(JsonNode.Parse(jwk.ToJson().ToJsonString())));
    }

    [Fact]
    public void FromECDsa_RoundTripsThroughToParameters()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwk = Jwk.FromECDsa(key);
        using var imported = ECDsa.Create(jwk.ToParameters());

        var signature = Es256.Sign(key, "x"u8);
        Assert.True(Es256.Verify(imported, "x"u8, signature));
        Assert.Equal(jwk, Jwk.FromECDsa(imported));
    }

    [Fact]
    public void FromECDsa_RefusesOtherCurve()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => Jwk.FromECDsa(key));
    }

    [Fact]
    public void ToParameters_ThrowsForUnvalidatedBadMembers()
    {
        Assert.Throws<FormatException>(() => new Jwk("EC", "P-384", KnownX, KnownY).ToParameters());
        Assert.Throws<FormatException>(() => new Jwk("EC", "P-256", KnownX + "A", KnownY).ToParameters());
    }

    [Fact]
    public void TryParse_RefusesOffCurvePoint()
    {
        var y = Base64Url.Decode(KnownY);
        y[31] ^= 0x01;
        var json = KnownJson();
        json["y"] = Base64Url.Encode(y);

        Assert.Contains("not on the P-256 curve", Refusal(json));
    }

    [Fact]
    public void TryParse_RefusesCoordinateNotBelowFieldPrime()
    {
        var p = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
        var json = KnownJson();
        json["x"] = Base64Url.Encode(p);

        Assert.Contains("field prime", Refusal(json));
    }

    [Theory]
    [InlineData("P-384")]
    [InlineData("P-521")]
    [InlineData("secp256k1")]
    [InlineData("p-256")]
    public void TryParse_RefusesOtherCurve(string crv)
    {
        var json = KnownJson();
        json["crv"] = crv;
        Assert.Contains("crv", Refusal(json));
    }

    [Theory]
    [InlineData("RSA")]
    [InlineData("OKP")]
    [InlineData("ec")]
    public void TryParse_RefusesOtherKeyType(string kty)
    {
        var json = KnownJson();
        json["kty"] = kty;
        Assert.Contains("kty", Refusal(json));
    }

    [Theory]
    [InlineData("x", 31)]
    [InlineData("x", 33)]
    [InlineData("y", 0)]
    [InlineData("y", 64)]
    public void TryParse_RefusesCoordinateOfWrongLength(string member, int length)
    {
        var json = KnownJson();
        json[member] = Base64Url.Encode(new byte[length]);
        Assert.Contains("32 bytes", Refusal(json));
    }

    [Theory]
    [InlineData("kty")]
    [InlineData("crv")]
    [InlineData("x")]
    [InlineData("y")]
    public void TryParse_RefusesMissingMember(string member)
    {
        var json = KnownJson();
        json.Remove(member);
        Assert.Contains($"missing \"{member}\"", Refusal(json));
    }

    [Theory]
    [InlineData("kty")]
    [InlineData("x")]
    public void TryParse_RefusesNullMember(string member)
    {
        var json = KnownJson();
        json[member] = null;
        Assert.Contains($"missing \"{member}\"", Refusal(json));
    }

    [Fact]
    public void TryParse_RefusesNonStringMember()
    {
        var json = KnownJson();
        json["x"] = 5;
        Assert.Contains("must be a string", Refusal(json));
    }

    [Theory]
    [InlineData("padding")]
    [InlineData("standard alphabet")]
    public void TryParse_RefusesNonCanonicalBase64(string variant)
    {
        var standard = Convert.ToBase64String(Base64Url.Decode(KnownY));
        var json = KnownJson();
        json["y"] = variant == "padding" ? KnownY + "=" : standard.TrimEnd('=');
        Assert.True(variant == "padding" || standard.TrimEnd('=') != KnownY, "the chosen y must contain + or /");
        Assert.Contains("base64url", Refusal(json));
    }

    [Fact]
    public void TryParse_RefusesPrivateKeyMember()
    {
        var json = KnownJson();
        json["d"] = Base64Url.Encode(new byte[32]);
        Assert.Contains("\"d\"", Refusal(json));
    }

    [Fact]
    public void TryParse_RefusesDuplicateMembers()
    {
        var json = JsonNode.Parse($"{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{KnownX}\",\"y\":\"{KnownY}\",\"x\":\"{KnownY}\"}}");
        Assert.Contains("duplicate", Refusal(json));
    }

    [Fact]
    public void TryParse_RefusesNonObjects()
    {
        Refusal(null);
        Refusal(new JsonArray());
        Refusal(JsonValue.Create("EC"));
    }
}
