using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace HealthPortal.Data.KeyRing;

/// <summary>
/// Reads what <see cref="KekXmlEncryptor"/> wrote. Data Protection creates it by the type name stored in each key file,
/// passing the app's services, so the KEK comes from the container; without one (a copy of the data folder on
/// another machine) every key stays sealed and each use of it fails with <see cref="CryptographicException"/>.
/// </summary>
public sealed class KekXmlDecryptor : IXmlDecryptor
{
    private readonly KeyEncryptionKey? _kek;

    public KekXmlDecryptor(IServiceProvider services) => _kek = services.GetService(typeof(KeyEncryptionKey)) as KeyEncryptionKey;

    public KekXmlDecryptor(KeyEncryptionKey kek) => _kek = kek;

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        if (encryptedElement.Name != KekXmlEncryptor.Root) throw new CryptographicException($"not a key-encryption-key envelope: <{encryptedElement.Name.LocalName}>");
        var version = (string?)encryptedElement.Attribute("version");
        if (version != KekXmlEncryptor.Version)
            throw new CryptographicException($"key ring envelope version '{version}' is not supported by this version of HealthPortal (it reads version {KekXmlEncryptor.Version})");
        if ((string?)encryptedElement.Attribute("alg") != KekXmlEncryptor.Algorithm) throw new CryptographicException("key ring envelope names an unsupported algorithm");
        var kid = (string?)encryptedElement.Attribute("kid") ?? "";
        if (_kek is null)
            throw new CryptographicException($"the Data Protection key ring is encrypted with key-encryption key {kid} and none is configured (HealthPortal:KeyRing, see docs/deploy.md)");
        if (kid != _kek.Id)
            throw new CryptographicException($"the Data Protection key ring is encrypted with key-encryption key {kid}, but the configured one is {_kek.Id}");

        var nonce = Base64Of(encryptedElement, "nonce");
        var ciphertext = Base64Of(encryptedElement, "ciphertext");
        var tag = Base64Of(encryptedElement, "tag");
        if (nonce.Length != AesGcm.NonceByteSizes.MaxSize || tag.Length != AesGcm.TagByteSizes.MaxSize) throw new CryptographicException("key ring envelope is malformed");
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = _kek.Cipher();
            aes.Decrypt(nonce, ciphertext, tag, plaintext, KekXmlEncryptor.AssociatedData(version, kid));
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] Base64Of(XElement envelope, string name)
    {
        try
        {
            return Convert.FromBase64String((string?)envelope.Element(KekXmlEncryptor.Namespace + name) ?? throw new CryptographicException($"key ring envelope has no <{name}>"));
        }
        catch (FormatException)
        {
            throw new CryptographicException($"key ring envelope's <{name}> is not base64");
        }
    }
}
