namespace HealthPortal.Ledger.Crypto;

/// <summary>
/// Strict unpadded base64url (RFC 4648 §5), as used by JWK members, thumbprints and signatures.
/// </summary>
/// <remarks>
/// Decoding accepts exactly one spelling per byte string: no padding, no whitespace, no '+' or '/',
/// and the unused low bits of the last character must be zero. An identity is a base64url string,
/// so two spellings of the same bytes would be two identities for one key.
/// </remarks>
public static class Base64Url
{
    /// <summary>Encodes <paramref name="data"/> as unpadded base64url. Any input is accepted.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes strict unpadded base64url.</summary>
    /// <param name="s">Must not be null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="s"/> is not strict unpadded base64url.</exception>
    public static byte[] Decode(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryDecode(s, out var bytes)
            ? bytes
            : throw new FormatException("Not strict unpadded base64url (RFC 4648 §5, no padding, no whitespace).");
    }

    /// <summary>
    /// Decodes strict unpadded base64url. Returns false (and an empty array) for null, padding,
    /// whitespace, characters outside <c>A–Z a–z 0–9 - _</c>, an impossible length, or non-zero
    /// trailing bits. The empty string decodes to an empty array.
    /// </summary>
    public static bool TryDecode(string? s, out byte[] bytes)
    {
        bytes = [];
        if (s is null) return false;

        var remainder = s.Length % 4;
        if (remainder == 1) return false;
        foreach (var c in s)
        {
            if (Value(c) < 0) return false;
        }

        // Canonical spelling: the bits of the last character that carry no data must be zero.
        // (Checked first: the framework decoder throws, even from TryDecodeFromChars, on these.)
        if (remainder == 2 && (Value(s[^1]) & 0x0F) != 0) return false;
        if (remainder == 3 && (Value(s[^1]) & 0x03) != 0) return false;

        // The framework decoder is lenient about padding and whitespace, both ruled out above.
        var decoded = new byte[s.Length / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)];
        if (!System.Buffers.Text.Base64Url.TryDecodeFromChars(s, decoded, out var written) || written != decoded.Length)
            return false;

        bytes = decoded;
        return true;
    }

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };
}
