using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// Node-to-node authentication by mutual TLS with certificates bound to ledger identities: each node presents a
/// self-signed certificate made from its own ledger P-256 key, and a peer is admitted only when the key in its
/// certificate is an approved facility on this node's replica. There is no certificate authority to trust: the
/// ledger is the trust anchor, so a key the admin revoked is refused as soon as the revocation commits here.
/// </summary>
public static class NodeCertificates
{
    /// <summary>A self-signed certificate holding <paramref name="nodeKey"/> (private part included, for the TLS handshake).</summary>
    public static X509Certificate2 Create(LedgerKeyPair nodeKey)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(nodeKey.ExportPkcs8(), out _);
        var request = new CertificateRequest($"CN=healthportal-node-{nodeKey.Id}", ecdsa, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client auth
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The ledger key id (JWK thumbprint) of the P-256 key in <paramref name="certificate"/>, or null for any other key.</summary>
    public static string? NodeIdOf(X509Certificate? certificate)
    {
        if (certificate is null) return null;
        using var cert = certificate as X509Certificate2 is { } c2 ? new X509Certificate2(c2) : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var key = cert.GetECDsaPublicKey();
        if (key is null) return null;
        try
        {
            return Jwk.FromECDsa(key).Thumbprint();
        }
        catch (ArgumentException)
        {
            return null; // not P-256: no ledger key can be behind it
        }
    }

    /// <summary>
    /// Validates a peer's certificate: its key must be an approved facility now. The chain is not checked (the
    /// certificates are self-signed on purpose); possession of the key is proven by the TLS handshake itself.
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(Func<string, bool> isApprovedFacility, Action<string>? onRefused = null)
        => (_, certificate, _, _) =>
        {
            var id = NodeIdOf(certificate);
            if (id is not null && isApprovedFacility(id)) return true;
            onRefused?.Invoke(id is null ? "a peer presented no ledger key" : $"peer key {id} is not an approved facility on this replica");
            return false;
        };

    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2 own, Func<string, bool> isApprovedFacility, Action<string>? onRefused = null) => new()
    {
        ServerCertificate = own,
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = Validator(isApprovedFacility, onRefused),
        EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    public static SslClientAuthenticationOptions ClientOptions(X509Certificate2 own, Func<string, bool> isApprovedFacility, Action<string>? onRefused = null) => new()
    {
        TargetHost = "healthportal-node",
        ClientCertificates = [own],
        LocalCertificateSelectionCallback = (_, _, _, _, _) => own,
        RemoteCertificateValidationCallback = Validator(isApprovedFacility, onRefused),
        EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };
}
