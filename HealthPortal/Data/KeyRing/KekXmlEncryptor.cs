using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace HealthPortal.Data.KeyRing;

/// <summary>
/// Encrypts a Data Protection key's secret (its <c>masterKey</c> element) with AES-256-GCM under the
/// <see cref="KeyEncryptionKey"/>. Format version 1, as written into the key file inside Data Protection's
/// <c>encryptedSecret</c>:
/// <code>
/// &lt;kekEncrypted xmlns="urn:healthportal:key-ring" version="1" alg="A256GCM" kid="{KEK id}"&gt;
///   &lt;nonce&gt;12 bytes, base64&lt;/nonce&gt;&lt;ciphertext&gt;base64&lt;/ciphertext&gt;&lt;tag&gt;16 bytes, base64&lt;/tag&gt;
/// &lt;/kekEncrypted&gt;
/// </code>
/// The plaintext is the element's UTF-8 XML; the associated data is <c>"HealthPortal.KeyRing.KEK.v1\n" + kid</c>, so
/// a ciphertext cannot be passed off under another version or key id. A new version gets a new number and the
/// decryptor keeps reading the old ones.
/// </summary>
public sealed class KekXmlEncryptor(KeyEncryptionKey kek) : IXmlEncryptor
{
    public static readonly XNamespace Namespace = "urn:healthportal:key-ring";
    public static readonly XName Root = Namespace + "kekEncrypted";
    public const string Version = "1";
    public const string Algorithm = "A256GCM";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = kek.Cipher())
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(Version, kek.Id));
        CryptographicOperations.ZeroMemory(plaintext);

        var element = new XElement(Root,
            new XAttribute("version", Version), new XAttribute("alg", Algorithm), new XAttribute("kid", kek.Id),
            new XComment(" The key below is encrypted with the node's key-encryption key (AES-256-GCM); see docs/deploy.md. "),
            new XElement(Namespace + "nonce", Convert.ToBase64String(nonce)),
            new XElement(Namespace + "ciphertext", Convert.ToBase64String(ciphertext)),
            new XElement(Namespace + "tag", Convert.ToBase64String(tag)));
        return new EncryptedXmlInfo(element, typeof(KekXmlDecryptor));
    }

    internal static byte[] AssociatedData(string version, string kid) => Encoding.UTF8.GetBytes($"HealthPortal.KeyRing.KEK.v{version}\n{kid}");
}
