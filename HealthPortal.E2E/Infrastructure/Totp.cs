using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// An authenticator app in test code: RFC 6238 TOTP (HMAC-SHA1 over the 30-second step, 6 digits) of a Base32 key,
/// as Identity's authenticator sign-in expects. Used to pass the staff and admin second factor.
/// </summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        var counter = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30);
        var hash = HMACSHA1.HashData(Base32(base32Key), counter);
        var offset = hash[^1] & 0xF;
        var value = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7FFFFFFF;
        return (value % 1_000_000).ToString("000000");
    }

    private static byte[] Base32(string key)
    {
        var bits = string.Concat(key.Replace(" ", "").TrimEnd('=').ToUpperInvariant()
            .Select(c => Convert.ToString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c), 2).PadLeft(5, '0')));
        return Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
    }
}
