using System.Security.Cryptography;
using System.Text;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.Text;

/// <summary>
/// What the ledger holds instead of free text: SHA-256 over a random salt and the UTF-8 text, base64url (43
/// characters, like every hash on the ledger). The text and its salt stay in the writing node's own database; anyone
/// shown both can recompute the hash and see that the text is the one committed to at the time. The salt is there
/// because such texts are short and guessable: without it, whoever suspects "Unconscious: Aung Aung born 1980-01-02"
/// could confirm the guess against the ledger.
/// </summary>
public static class TextCommitment
{
    private const int SaltBytes = 16;

    /// <summary>A fresh salt (base64url) for <see cref="Hash"/>.</summary>
    public static string NewSalt() => Base64Url.Encode(RandomNumberGenerator.GetBytes(SaltBytes));

    /// <summary>The commitment to <paramref name="text"/> under <paramref name="salt"/> (from <see cref="NewSalt"/>).</summary>
    public static string Hash(string text, string salt)
    {
        ArgumentNullException.ThrowIfNull(text);
        var saltBytes = Base64Url.Decode(salt);
        var textBytes = Encoding.UTF8.GetBytes(text);
        var buffer = new byte[saltBytes.Length + textBytes.Length];
        saltBytes.CopyTo(buffer, 0);
        textBytes.CopyTo(buffer, saltBytes.Length);
        return Base64Url.Encode(SHA256.HashData(buffer));
    }

    /// <summary>Whether <paramref name="text"/> and <paramref name="salt"/> are what <paramref name="hash"/> commits to.</summary>
    public static bool Matches(string text, string salt, string hash) => Hash(text, salt) == hash;
}
