using System.Security.Cryptography;
using System.Text;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Data.KeyRing;

/// <summary>
/// The 256-bit key-encryption key (KEK) that encrypts the Data Protection key ring at rest. It never lives in the data
/// folder: it comes from configuration (an environment variable) or a file elsewhere, so that a copy of the data
/// folder alone (a stolen backup, a world-readable disk) opens no server-held key. <see cref="Id"/> names it without
/// revealing it, so a ring encrypted under another KEK is told apart from a corrupted one.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int Length = 32;

    private readonly byte[] _key;

    public KeyEncryptionKey(byte[] key)
    {
        if (key.Length != Length) throw new ArgumentException($"a key-encryption key is {Length} bytes (256 bits), not {key.Length}", nameof(key));
        _key = (byte[])key.Clone();
        Id = Base64Url.Encode(SHA256.HashData([.. Encoding.ASCII.GetBytes("healthportal-kek-id:v1:"), .. _key])[..9]);
    }

    /// <summary>A short public name of this key (base64url of 9 bytes of a domain-separated SHA-256 of it).</summary>
    public string Id { get; }

    /// <summary>A fresh random key (tests, and <c>docs/deploy.md</c>'s recipe does the same with openssl).</summary>
    public static KeyEncryptionKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>Reads a key written as base64 (44 characters, what <c>openssl rand -base64 32</c> prints); null and why when it is not one.</summary>
    public static KeyEncryptionKey? Parse(string? text, out string? error)
    {
        error = null;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String((text ?? "").Trim());
        }
        catch (FormatException)
        {
            error = "it is not base64";
            return null;
        }
        if (bytes.Length != Length)
        {
            error = $"it decodes to {bytes.Length} bytes, not {Length}";
            return null;
        }
        return new KeyEncryptionKey(bytes);
    }

    internal AesGcm Cipher() => new(_key, AesGcm.TagByteSizes.MaxSize);

    public override string ToString() => "KEK " + Id;
}
