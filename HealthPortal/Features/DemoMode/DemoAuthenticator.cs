using System.Buffers.Binary;
using System.Security.Cryptography;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.DemoMode;

/// <summary>
/// Demo mode only: demo staff and admin accounts have an authenticator already set up, and the login page shows each
/// one's current code so that every portal can still be tried at once. Codes are Identity's authenticator TOTP
/// (RFC 6238: HMAC-SHA1 over the 30-second step, 6 digits) of the key stored for the account.
/// </summary>
public static class DemoAuthenticator
{
    /// <summary>Demo accounts whose role needs a second factor (a node has only those it seeded; the others are skipped).</summary>
    public static IEnumerable<DemoData.Account> Accounts => DemoData.ConsortiumAccounts.Where(a => a.Role != Roles.Patient);

    public static async Task<IReadOnlyDictionary<string, string>> CurrentCodesAsync(UserManager<ApplicationUser> users, DateTimeOffset now)
    {
        var codes = new Dictionary<string, string>();
        foreach (var account in Accounts)
        {
            if (await users.FindByEmailAsync(account.Email) is not { } user) continue;
            if (await users.GetAuthenticatorKeyAsync(user) is { Length: > 0 } key) codes[account.Email] = CodeAt(key, now);
        }
        return codes;
    }

    /// <summary>The 6-digit code of a Base32 authenticator key at <paramref name="time"/>.</summary>
    public static string CodeAt(string base32Key, DateTimeOffset time)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, time.ToUnixTimeSeconds() / 30);
        var hash = HMACSHA1.HashData(FromBase32(base32Key), counter);
        var offset = hash[^1] & 0x0F;
        var binary = (hash[offset] & 0x7F) << 24 | hash[offset + 1] << 16 | hash[offset + 2] << 8 | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant().Where(c => c is not ('=' or ' ')))
        {
            var value = alphabet.IndexOf(c);
            if (value < 0) throw new FormatException("Not a Base32 authenticator key.");
            buffer = buffer << 5 | value;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return output.ToArray();
    }
}
