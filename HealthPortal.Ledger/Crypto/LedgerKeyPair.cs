using System.Security.Cryptography;

namespace HealthPortal.Ledger.Crypto;

/// <summary>
/// A server-held ES256 signing key (facility node, consortium admin, sealing node). Safe to use
/// from several threads at once; dispose it when the key is no longer needed.
/// </summary>
public sealed class LedgerKeyPair : IDisposable
{
    private readonly ECDsa _key;

    private LedgerKeyPair(ECDsa key)
    {
        _key = key;
        PublicJwk = Jwk.FromECDsa(key);
    }

    /// <summary>The public half, as it goes on the ledger.</summary>
    public Jwk PublicJwk { get; }

    /// <summary>The ledger identity: the RFC 7638 thumbprint of <see cref="PublicJwk"/>.</summary>
    public string Id => PublicJwk.Thumbprint();

    /// <summary>Generates a fresh P-256 key pair.</summary>
    public static LedgerKeyPair Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a key saved with <see cref="ExportPkcs8"/>.</summary>
    /// <param name="pkcs8">An unencrypted PKCS#8 PrivateKeyInfo holding a P-256 EC key, and nothing after it.</param>
    /// <exception cref="CryptographicException">Not a PKCS#8 EC private key, or trailing bytes.</exception>
    /// <exception cref="ArgumentException">An EC key on a curve other than P-256.</exception>
    public static LedgerKeyPair FromPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out var read);
            if (read != pkcs8.Length)
                throw new CryptographicException($"Unexpected {pkcs8.Length - read} bytes after the PKCS#8 key.");
            return new LedgerKeyPair(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The private key as unencrypted PKCS#8. This is secret material: the caller must protect it
    /// (ASP.NET Data Protection) before it touches disk.
    /// </summary>
    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    /// <summary>Signs SHA-256(<paramref name="data"/>); returns a 64-byte P1363 signature.</summary>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public byte[] Sign(ReadOnlySpan<byte> data) => Es256.Sign(_key, data);

    /// <summary>Releases the native key.</summary>
    public void Dispose() => _key.Dispose();
}
