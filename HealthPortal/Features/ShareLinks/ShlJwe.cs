using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// The compact JWE of a SMART Health Link file (RFC 7516 with <c>"alg":"dir"</c>, <c>"enc":"A256GCM"</c>, optional
/// <c>"zip":"DEF"</c>): <c>header..iv.ciphertext.tag</c> (the encrypted key is empty for "dir"), a 96-bit IV, a 128-bit tag,
/// the base64url header's ASCII as additional data. The browser encrypts and decrypts with WebCrypto; the server only
/// checks the structure of what it stores (<see cref="Inspect"/>), and the tests use <see cref="Encrypt"/>/<see cref="Decrypt"/>
/// as the independent implementation.
/// </summary>
public static class ShlJwe
{
    public const int IvBytes = 12;
    public const int TagBytes = 16;
    public const int KeyBytes = 32;

    /// <summary>What the server learns from a ciphertext without its key: the protected header's fields and the sizes.</summary>
    public sealed record Shape(string Alg, string Enc, string? Zip, string? Cty, int CiphertextBytes);

    public static string Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, bool deflate = false, string? contentType = null)
    {
        if (key.Length != KeyBytes) throw new ArgumentException("A256GCM needs a 32-byte key.", nameof(key));
        var header = new Dictionary<string, string> { ["alg"] = "dir", ["enc"] = "A256GCM" };
        if (deflate) header["zip"] = "DEF";
        if (contentType is not null) header["cty"] = contentType;
        var protectedHeader = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(header));
        var body = deflate ? Deflate(plaintext) : plaintext.ToArray();
        var iv = RandomNumberGenerator.GetBytes(IvBytes);
        var ciphertext = new byte[body.Length];
        var tag = new byte[TagBytes];
        using (var gcm = new AesGcm(key, TagBytes))
            gcm.Encrypt(iv, body, ciphertext, tag, Encoding.ASCII.GetBytes(protectedHeader));
        return $"{protectedHeader}..{Base64Url.Encode(iv)}.{Base64Url.Encode(ciphertext)}.{Base64Url.Encode(tag)}";
    }

    /// <summary>The plaintext, or a failure when the text is not this JWE shape or the key or tag do not match.</summary>
    public static Result<byte[], ShareLinkError> Decrypt(ReadOnlySpan<byte> key, string compact)
    {
        var parts = Split(compact, out var shape);
        if (!parts.IsOk) return Result.Fail(parts.Error, parts.Message!);
        var (protectedHeader, iv, ciphertext, tag) = parts.Value;
        var plain = new byte[ciphertext.Length];
        try
        {
            using var gcm = new AesGcm(key, TagBytes);
            gcm.Decrypt(iv, ciphertext, tag, plain, Encoding.ASCII.GetBytes(protectedHeader));
        }
        catch (AuthenticationTagMismatchException)
        {
            return Result.Fail(ShareLinkError.MalformedCiphertext, "The content does not decrypt with this key (wrong key or altered).");
        }
        return shape!.Zip == "DEF" ? Inflate(plain) : plain;
    }

    /// <summary>Checks that <paramref name="compact"/> is a dir/A256GCM compact JWE, without decrypting it.</summary>
    public static Result<Shape, ShareLinkError> Inspect(string compact)
    {
        var parts = Split(compact, out var shape);
        return parts.IsOk ? shape! : Result.Fail(parts.Error, parts.Message!);
    }

    private static Result<(string Header, byte[] Iv, byte[] Ciphertext, byte[] Tag), ShareLinkError> Split(string compact, out Shape? shape)
    {
        shape = null;
        var parts = compact.Split('.');
        if (parts.Length != 5) return Bad("it does not have the five parts of a compact JWE");
        if (parts[1].Length != 0) return Bad("a \"dir\" JWE carries no encrypted key");
        if (!Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[2], out var iv)
            || !Base64Url.TryDecode(parts[3], out var ciphertext) || !Base64Url.TryDecode(parts[4], out var tag))
            return Bad("a part is not base64url");
        if (iv.Length != IvBytes) return Bad("the IV is not 96 bits");
        if (tag.Length != TagBytes) return Bad("the tag is not 128 bits");
        Dictionary<string, JsonElement>? header;
        try { header = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(headerBytes); }
        catch (JsonException) { return Bad("the header is not JSON"); }
        if (header is null) return Bad("the header is not a JSON object");
        string? Field(string name) => header.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (Field("alg") != "dir" || Field("enc") != "A256GCM") return Bad("the header is not {\"alg\":\"dir\",\"enc\":\"A256GCM\"}");
        if (Field("zip") is { } zip && zip != "DEF") return Bad("the only compression allowed is DEF");
        shape = new Shape("dir", "A256GCM", Field("zip"), Field("cty"), ciphertext.Length);
        return (parts[0], iv, ciphertext, tag);

        static Failure<ShareLinkError> Bad(string why) => Result.Fail(ShareLinkError.MalformedCiphertext, "The encrypted content is not a valid JWE: " + why + ".");
    }

    // JWE "DEF" is raw DEFLATE (RFC 1951), no zlib header: what CompressionStream("deflate-raw") makes in the browser.
    private static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal)) deflate.Write(data);
        return output.ToArray();
    }

    private static byte[] Inflate(byte[] data)
    {
        using var input = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
