using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace HealthPortal.Data.KeyRing;

/// <summary>How the key ring is kept at rest on this start, for the start-up log.</summary>
/// <param name="Kek">The key-encryption key, or null when the ring is stored unencrypted (Development only).</param>
/// <param name="Reencrypted">Keys found unencrypted (written by an older version) and encrypted on this start.</param>
public sealed record KeyRingStatus(KeyEncryptionKey? Kek, int Reencrypted);

/// <summary>
/// Encrypts the Data Protection key ring at rest with a <see cref="KeyEncryptionKey"/>. The ring's keys protect the
/// server-held ledger keys, the staff pseudonym secret and every cookie; stored in the clear beside them (the
/// framework's default outside Windows) they made that encryption decorative. Production refuses to start without a
/// KEK; Development and tests may run without one, with a warning.
/// Upgrade: keys an older version wrote unencrypted are encrypted in place on the first start with a KEK (each file
/// rewritten atomically), so the ring keeps working and no plaintext key stays behind. Keys encrypted under a KEK
/// other than the configured one stop the start with a message naming both ids, instead of failing later at the first
/// cookie or ledger signature.
/// </summary>
public static class KeyRingProtection
{
    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";

    public static KeyRingStatus Configure(IDataProtectionBuilder dataProtection, IConfiguration configuration, IHostEnvironment environment, string dataFolder, string keysFolder)
    {
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new();
        var kek = Load(options, dataFolder);
        if (kek is null)
        {
            if (environment.IsProduction())
                throw new InvalidOperationException(
                    "HealthPortal will not start in Production without a key-encryption key for its Data Protection key ring (which protects the " +
                    "server-held ledger keys). Create one outside the data folder with `openssl rand -base64 32 > /etc/healthportal/keyring.kek` " +
                    "(chmod 600, owned by the node's account) and set HealthPortal__KeyRing__KeyEncryptionKeyFile=/etc/healthportal/keyring.kek " +
                    "(or HealthPortal__KeyRing__KeyEncryptionKey to the base64 key). See docs/deploy.md.");
            ThrowIfAnyKeyIsEncrypted(keysFolder);
            return new KeyRingStatus(null, 0);
        }

        dataProtection.Services.AddSingleton(kek);
        dataProtection.Services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new KekXmlEncryptor(kek));
        return new KeyRingStatus(kek, EncryptStoredKeys(keysFolder, kek));
    }

    /// <summary>The configured KEK, or null when none is; throws with the reason when one is configured but unusable.</summary>
    public static KeyEncryptionKey? Load(KeyRingOptions options, string dataFolder)
    {
        var file = string.IsNullOrWhiteSpace(options.KeyEncryptionKeyFile) ? null : Path.GetFullPath(options.KeyEncryptionKeyFile);
        var inline = string.IsNullOrWhiteSpace(options.KeyEncryptionKey) ? null : options.KeyEncryptionKey;
        if (file is not null && inline is not null)
            throw new InvalidOperationException("Set either HealthPortal:KeyRing:KeyEncryptionKeyFile or HealthPortal:KeyRing:KeyEncryptionKey, not both.");
        if (file is null && inline is null) return null;

        string text;
        if (file is not null)
        {
            if (IsInside(file, dataFolder))
                throw new InvalidOperationException($"The key-encryption key file {file} is inside the data folder {dataFolder}: whoever can read the data folder could then open the key ring. Keep it elsewhere (see docs/deploy.md).");
            if (!File.Exists(file)) throw new InvalidOperationException($"The key-encryption key file {file} (HealthPortal:KeyRing:KeyEncryptionKeyFile) does not exist.");
            text = File.ReadAllText(file);
        }
        else
        {
            text = inline!;
        }
        return KeyEncryptionKey.Parse(text, out var error)
            ?? throw new InvalidOperationException($"The key-encryption key ({(file is null ? "HealthPortal:KeyRing:KeyEncryptionKey" : file)}) is unusable: {error}; it must be 32 random bytes in base64 (`openssl rand -base64 32`).");
    }

    /// <summary>Encrypts every key secret stored in the clear; returns how many key files it rewrote.</summary>
    public static int EncryptStoredKeys(string keysFolder, KeyEncryptionKey kek)
    {
        if (!Directory.Exists(keysFolder)) return 0;
        var encryptor = new KekXmlEncryptor(kek);
        var rewritten = 0;
        foreach (var path in Directory.EnumerateFiles(keysFolder, "*.xml"))
        {
            var document = XDocument.Load(path, LoadOptions.PreserveWhitespace);
            foreach (var envelope in document.Descendants(KekXmlEncryptor.Root))
            {
                var kid = (string?)envelope.Attribute("kid");
                if (kid != kek.Id)
                    throw new InvalidOperationException($"The Data Protection key {Path.GetFileName(path)} in {keysFolder} is encrypted with key-encryption key {kid}, but the configured one is {kek.Id}. Configure the key it was encrypted with (see docs/deploy.md).");
            }
            // Data Protection marks each secret it would have encrypted; outside an encryptedSecret it is in the clear.
            var secrets = document.Descendants()
                .Where(e => (bool?)e.Attribute(DataProtection + "requiresEncryption") == true && !e.Ancestors(DataProtection + "encryptedSecret").Any())
                .ToList();
            if (secrets.Count == 0) continue;
            foreach (var secret in secrets)
            {
                var encrypted = encryptor.Encrypt(secret);
                secret.ReplaceWith(new XElement(DataProtection + "encryptedSecret",
                    new XAttribute("decryptorType", encrypted.DecryptorType.AssemblyQualifiedName!), encrypted.EncryptedElement));
            }
            var temp = path + ".tmp";
            using (var stream = DataFolderPermissions.CreateSecretFile(temp))
                document.Save(stream);
            File.Move(temp, path, overwrite: true);
            rewritten++;
        }
        return rewritten;
    }

    /// <summary>Without a KEK, a ring that has one would fail at the first cookie: say so at start instead.</summary>
    private static void ThrowIfAnyKeyIsEncrypted(string keysFolder)
    {
        if (!Directory.Exists(keysFolder)) return;
        foreach (var path in Directory.EnumerateFiles(keysFolder, "*.xml"))
        {
            var kid = XDocument.Load(path).Descendants(KekXmlEncryptor.Root).Select(e => (string?)e.Attribute("kid")).FirstOrDefault();
            if (kid is not null)
                throw new InvalidOperationException($"The Data Protection key ring in {keysFolder} is encrypted with key-encryption key {kid}, and none is configured. Set HealthPortal__KeyRing__KeyEncryptionKeyFile (see docs/deploy.md).");
        }
    }

    private static bool IsInside(string path, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return path.StartsWith(root, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }
}
