using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Ledger.Crypto;

/// <summary>
/// An ES256 public key as a JSON Web Key (RFC 7517/7518): <c>kty</c> "EC", <c>crv</c> "P-256", and the
/// affine coordinates <c>x</c>, <c>y</c> as strict base64url of exactly 32 bytes each.
/// </summary>
/// <remarks>
/// The positional constructor does not validate; keys that arrive from outside must go through
/// <see cref="TryParse"/>. Equality compares the four members only.
/// </remarks>
public sealed record Jwk(string Kty, string Crv, string X, string Y)
{
    /// <summary>The only key type accepted.</summary>
    public const string EcKeyType = "EC";

    /// <summary>The only curve accepted.</summary>
    public const string P256 = "P-256";

    /// <summary>Length in bytes of each P-256 coordinate.</summary>
    public const int CoordinateLength = 32;

    // The field prime p of P-256; coordinates must be below it, or x and x + p would be two
    // spellings (and two thumbprints) of one key.
    private static ReadOnlySpan<byte> FieldPrime =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    private string? _thumbprint;

    // A `with` expression clones through this; the clone must not inherit a thumbprint that its
    // changed members no longer match.
    private Jwk(Jwk original)
    {
        Kty = original.Kty;
        Crv = original.Crv;
        X = original.X;
        Y = original.Y;
    }

    /// <summary>
    /// The RFC 7638 thumbprint: base64url of SHA-256 over
    /// <c>{"crv":…,"kty":…,"x":…,"y":…}</c> (members in that order, no whitespace). This is the
    /// identity of the key on the ledger. Computed once per instance.
    /// </summary>
    /// <exception cref="InvalidOperationException">A member holds a lone surrogate (only possible
    /// for an instance built with the constructor from bad strings).</exception>
    public string Thumbprint() => _thumbprint ??= ComputeThumbprint();

    /// <summary>
    /// Reads a public JWK. Succeeds only for <c>kty</c> "EC", <c>crv</c> "P-256" and <c>x</c>/<c>y</c>
    /// that are strict base64url of 32 bytes forming a point on the curve. Other members
    /// (<c>kid</c>, <c>ext</c>, <c>key_ops</c>, …) are ignored and not kept; a private <c>d</c> is
    /// refused so that a private key is never mistaken for a public one. Never throws.
    /// </summary>
    public static bool TryParse(JsonNode? node, [NotNullWhen(true)] out Jwk? jwk, out string error)
    {
        jwk = null;
        if (node is not JsonObject obj)
        {
            error = "a JWK must be a JSON object";
            return false;
        }
        try
        {
            _ = obj.Count;
        }
        catch (ArgumentException)
        {
            // A JsonObject parsed from text with a repeated name throws when first materialized.
            error = "the JWK has duplicate members";
            return false;
        }

        if (!TryGetString(obj, "kty", out var kty, out error)) return false;
        if (kty != EcKeyType) return Refuse($"unsupported kty \"{kty}\"; expected \"{EcKeyType}\"", out error);
        if (!TryGetString(obj, "crv", out var crv, out error)) return false;
        if (crv != P256) return Refuse($"unsupported crv \"{crv}\"; expected \"{P256}\"", out error);
        if (!TryGetString(obj, "x", out var x, out error)) return false;
        if (!TryGetString(obj, "y", out var y, out error)) return false;
        if (obj.ContainsKey("d")) return Refuse("a public JWK must not contain the private member \"d\"", out error);

        if (!TryDecodeCoordinate(x, "x", out var xBytes, out error)) return false;
        if (!TryDecodeCoordinate(y, "y", out var yBytes, out error)) return false;

        try
        {
            // Import performs the on-curve check.
            using var key = ECDsa.Create(Parameters(xBytes, yBytes));
        }
        catch (CryptographicException)
        {
            return Refuse("the point (x, y) is not on the P-256 curve", out error);
        }

        jwk = new Jwk(kty, crv, x, y);
        error = "";
        return true;
    }

    /// <summary>The JWK as JSON with exactly <c>crv</c>, <c>kty</c>, <c>x</c>, <c>y</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["crv"] = Crv,
        ["kty"] = Kty,
        ["x"] = X,
        ["y"] = Y,
    };

    /// <summary>The public JWK of a P-256 key (private part, if any, is not exported).</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not on P-256.</exception>
    public static Jwk FromECDsa(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (!IsP256(parameters.Curve))
            throw new ArgumentException("Only P-256 keys can be expressed as an ES256 JWK.", nameof(key));
        return new Jwk(EcKeyType, P256, Base64Url.Encode(parameters.Q.X), Base64Url.Encode(parameters.Q.Y));
    }

    /// <summary>Public-key parameters for <see cref="ECDsa.Create(ECParameters)"/>.</summary>
    /// <exception cref="FormatException">The members are not a well-formed P-256 JWK (only possible
    /// for an instance built with the constructor).</exception>
    public ECParameters ToParameters()
    {
        if (Kty != EcKeyType || Crv != P256)
            throw new FormatException($"Not an ES256 key: kty \"{Kty}\", crv \"{Crv}\".");
        if (!TryDecodeCoordinate(X, "x", out var x, out var error) || !TryDecodeCoordinate(Y, "y", out var y, out error))
            throw new FormatException(error);
        return Parameters(x, y);
    }

    /// <inheritdoc />
    public bool Equals(Jwk? other) =>
        other is not null && Kty == other.Kty && Crv == other.Crv && X == other.X && Y == other.Y;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kty, Crv, X, Y);

    internal static bool IsP256(ECCurve curve) =>
        curve.IsNamed &&
        (curve.Oid.Value == "1.2.840.10045.3.1.7" ||
         curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1");

    private string ComputeThumbprint()
    {
        var json = new ArrayBufferWriter<byte>(160);
        Write(json, "{\"crv\":"u8, Crv);
        Write(json, ",\"kty\":"u8, Kty);
        Write(json, ",\"x\":"u8, X);
        Write(json, ",\"y\":"u8, Y);
        json.Write("}"u8);
        return Base64Url.Encode(SHA256.HashData(json.WrittenSpan));

        static void Write(ArrayBufferWriter<byte> json, ReadOnlySpan<byte> prefix, string value)
        {
            json.Write(prefix);
            if (!JcsWriter.TryWriteString(json, value))
                throw new InvalidOperationException("A JWK member contains a lone surrogate.");
        }
    }

    private static ECParameters Parameters(byte[] x, byte[] y) => new()
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = x, Y = y },
    };

    private static bool TryGetString(JsonObject obj, string name, [NotNullWhen(true)] out string? value, out string error)
    {
        value = null;
        if (!obj.TryGetPropertyValue(name, out var node) || node is null)
            return Refuse($"the JWK is missing \"{name}\"", out error);
        try
        {
            if (node is not JsonValue v || !v.TryGetValue(out value))
                return Refuse($"the JWK member \"{name}\" must be a string", out error);
        }
        catch (InvalidOperationException)
        {
            // A parsed string holding an escaped lone surrogate cannot be read as a string.
            return Refuse($"the JWK member \"{name}\" is not valid UTF-16", out error);
        }
        error = "";
        return true;
    }

    private static bool TryDecodeCoordinate(string encoded, string name, out byte[] bytes, out string error)
    {
        if (!Base64Url.TryDecode(encoded, out bytes))
            return Refuse($"\"{name}\" is not strict unpadded base64url", out error);
        if (bytes.Length != CoordinateLength)
            return Refuse($"\"{name}\" must decode to {CoordinateLength} bytes, not {bytes.Length}", out error);
        if (bytes.AsSpan().SequenceCompareTo(FieldPrime) >= 0)
            return Refuse($"\"{name}\" is not below the P-256 field prime", out error);
        error = "";
        return true;
    }

    private static bool Refuse(string message, out string error)
    {
        error = message;
        return false;
    }
}
