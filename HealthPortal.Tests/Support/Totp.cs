using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HealthPortal.Tests.Support;

/// <summary>
/// The authenticator app's side of Identity's TOTP, written here from RFC 6238 / RFC 4226 (HMAC-SHA1 over the
/// big-endian 30-second step, dynamic truncation, 6 digits) rather than taken from the app, so tests that pass a
/// second factor check the portal against the standard and not against itself.
/// </summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        var step = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30;
        var counter = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(Base32(base32Key), counter);
        var offset = hash[19] & 0xF;
        var value = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7FFFFFFF;
        return (value % 1_000_000).ToString("000000");
    }

    private static byte[] Base32(string key)
    {
        var bits = string.Concat(key.Trim().TrimEnd('=').ToUpperInvariant()
            .Select(c => Convert.ToString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c), 2).PadLeft(5, '0')));
        return Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
    }
}
