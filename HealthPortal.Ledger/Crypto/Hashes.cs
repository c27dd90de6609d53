using System.Security.Cryptography;

namespace HealthPortal.Ledger.Crypto;

/// <summary>The ledger's one hash function.</summary>
public static class Hashes
{
    /// <summary>Length in bytes of a SHA-256 digest.</summary>
    public const int Sha256Length = 32;

    /// <summary>SHA-256 of <paramref name="data"/> (any length, including empty).</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);
}
