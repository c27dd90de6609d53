using System.Security.Cryptography;

namespace HealthPortal.Ledger.Crypto;

/// <summary>
/// ES256: ECDSA over P-256 with SHA-256, signatures as 64-byte IEEE P1363 <c>r‖s</c> — the format
/// WebCrypto produces.
/// </summary>
/// <remarks>
/// ECDSA signatures are malleable: if <c>(r, s)</c> verifies, so does <c>(r, n − s)</c>, and this
/// verifier accepts both (as WebCrypto does). Nothing may therefore be identified by its signature
/// bytes; transaction ids hash the canonical body only.
/// </remarks>
public static class Es256
{
    /// <summary>Length in bytes of an ES256 signature (32-byte r, 32-byte s).</summary>
    public const int SignatureLength = 64;

    /// <summary>Signs SHA-256(<paramref name="data"/>) and returns the 64-byte P1363 signature.</summary>
    /// <param name="privateKey">A P-256 key holding its private part; safe to share between threads.</param>
    /// <param name="data">The bytes to sign (the message, not a hash).</param>
    /// <exception cref="ArgumentNullException"><paramref name="privateKey"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> is not a 256-bit key.</exception>
    /// <exception cref="CryptographicException">The key has no private part.</exception>
    public static byte[] Sign(ECDsa privateKey, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.KeySize != 256)
            throw new ArgumentException($"ES256 needs a P-256 key, not a {privateKey.KeySize}-bit key.", nameof(privateKey));
        return privateKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>
    /// True only if <paramref name="signature"/> is a valid 64-byte P1363 ES256 signature of
    /// <paramref name="data"/> under <paramref name="publicKey"/>. Any bad signature — wrong length,
    /// r or s zero or out of range, wrong key, changed data — gives false, never an exception.
    /// </summary>
    /// <param name="publicKey">A P-256 key (the private part is not needed); safe to share between
    /// threads, see <see cref="PublicKeyCache"/>.</param>
    /// <param name="data">The signed bytes (the message, not a hash).</param>
    /// <param name="signature">The claimed signature; any length and content is allowed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="publicKey"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="publicKey"/> was disposed.</exception>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (signature.Length != SignatureLength || publicKey.KeySize != 256) return false;
        try
        {
            return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            // OpenSSL reports some malformed signatures as errors rather than as a mismatch.
            return false;
        }
    }
}
