using System.Security.Cryptography;
using System.Xml.Linq;
using HealthPortal.Data.KeyRing;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Data;

/// <summary>
/// The Data Protection key ring is encrypted at rest with a key-encryption key kept outside the data folder: the ring
/// on disk holds no plaintext master key, a copy of the data folder alone opens no server-held ledger key, Production
/// refuses to start without the KEK, and a ring an older version stored in the clear is encrypted in place and keeps working.
/// </summary>
public sealed class KeyRingProtectionTests
{
    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";

    [Fact]
    public void KeyRingOnDisk_HoldsEncryptedSecretsAndNoPlaintextMasterKey()
    {
        using var portal = new PortalFactory();
        _ = portal.Services.GetRequiredService<LedgerHost>();

        var files = Directory.GetFiles(Path.Combine(portal.DataFolder, "keys"), "*.xml");

        Assert.NotEmpty(files);
        Assert.All(files, file =>
        {
            var xml = XDocument.Load(file);
            Assert.Empty(MasterKeysInTheClear(xml));
            var secret = Assert.Single(xml.Descendants(DataProtection + "encryptedSecret"));
            Assert.Equal(KekXmlEncryptor.Root, Assert.Single(secret.Elements()).Name);
            Assert.DoesNotContain("unencrypted form", File.ReadAllText(file), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void DataFolderCopyWithoutTheKek_OpensNoServerHeldLedgerKey()
    {
        using var portal = new PortalFactory();
        var admin = portal.Services.GetRequiredService<ServerKeyVault>().Get(ServerKeyVault.ConsortiumAdmin);
        using var stolen = CopyOf(portal.DataFolder);

        // What a small program given the folder (and this app's name and types) does: load the ring from disk and unprotect.
        var withoutKek = new ServerKeyVault(DataProtectionProvider.Create(stolen.Keys, b => b.SetApplicationName("HealthPortal")), stolen.LedgerKeys);
        var withOtherKek = new ServerKeyVault(DataProtectionProvider.Create(stolen.Keys, b =>
            b.SetApplicationName("HealthPortal").Services.AddSingleton(KeyEncryptionKey.Generate())), stolen.LedgerKeys);
        var withTheKek = new ServerKeyVault(DataProtectionProvider.Create(stolen.Keys, b =>
            b.SetApplicationName("HealthPortal").Services.AddSingleton(KeyEncryptionKey.Parse(portal.KeyEncryptionKey, out _)!)), stolen.LedgerKeys);

        Assert.ThrowsAny<CryptographicException>(() => withoutKek.Find(ServerKeyVault.ConsortiumAdmin));
        Assert.ThrowsAny<CryptographicException>(() => withOtherKek.Find(ServerKeyVault.ConsortiumAdmin));
        // The same copy with the KEK opens it: the KEK, not a damaged copy, is what was missing.
        Assert.Equal(admin.Id, withTheKek.Find(ServerKeyVault.ConsortiumAdmin)!.Id);
    }

    [Fact]
    public void Production_WithoutKek_RefusesToStartAndSaysWhatToSet()
    {
        using var portal = new ProductionPortal(kek: null);

        var refused = Assert.Throws<InvalidOperationException>(() => portal.Services);

        Assert.Contains("Production", refused.Message, StringComparison.Ordinal);
        Assert.Contains("HealthPortal__KeyRing__KeyEncryptionKeyFile", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(portal.DataFolder, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Production_WithKek_Starts()
    {
        using var portal = new ProductionPortal(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        // Over HTTPS: in Production plain HTTP meets the HTTPS gate (Hosting/HttpsGate), which has its own tests.
        var client = portal.CreateClient(new() { BaseAddress = new Uri("https://localhost") });
        var response = await client.GetAsync("/fhir/r4/metadata");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void OldUnencryptedKeyRing_IsEncryptedInPlaceAndStillOpensWhatItProtected()
    {
        var folder = Directory.CreateTempSubdirectory("hp-keyring-");
        try
        {
            // What an older version left: a ring in the clear (Data Protection's default outside Windows).
            var protectedByOldRing = DataProtectionProvider.Create(folder, b => b.SetApplicationName("HealthPortal"))
                .CreateProtector("test").Protect("ledger key material"u8.ToArray());
            Assert.Contains(Directory.GetFiles(folder.FullName, "*.xml"), f => MasterKeysInTheClear(XDocument.Load(f)).Any());
            var kek = KeyEncryptionKey.Generate();

            var rewritten = KeyRingProtection.EncryptStoredKeys(folder.FullName, kek);

            Assert.Equal(1, rewritten);
            Assert.All(Directory.GetFiles(folder.FullName, "*.xml"), f => Assert.Empty(MasterKeysInTheClear(XDocument.Load(f))));
            var reopened = DataProtectionProvider.Create(folder, b => b.SetApplicationName("HealthPortal").Services.AddSingleton(kek));
            Assert.Equal("ledger key material"u8.ToArray(), reopened.CreateProtector("test").Unprotect(protectedByOldRing));
            Assert.Equal(0, KeyRingProtection.EncryptStoredKeys(folder.FullName, kek));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void NodeUpgradedFromAnUnencryptedRing_KeepsItsLedgerKeysAndLeavesNoPlaintextKey()
    {
        var folder = Directory.CreateTempSubdirectory("hp-upgrade-");
        try
        {
            string adminId;
            using (var before = new PortalOn(folder.FullName, kek: null))
                adminId = before.Services.GetRequiredService<ServerKeyVault>().Get(ServerKeyVault.ConsortiumAdmin).Id;
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Assert.Contains(Directory.GetFiles(Path.Combine(folder.FullName, "keys"), "*.xml"), f => MasterKeysInTheClear(XDocument.Load(f)).Any());

            using var after = new PortalOn(folder.FullName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

            Assert.Equal(adminId, after.Services.GetRequiredService<ServerKeyVault>().Get(ServerKeyVault.ConsortiumAdmin).Id);
            Assert.Equal(1, after.Services.GetRequiredService<KeyRingStatus>().Reencrypted);
            Assert.All(Directory.GetFiles(Path.Combine(folder.FullName, "keys"), "*.xml"), f => Assert.Empty(MasterKeysInTheClear(XDocument.Load(f))));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void RingEncryptedUnderAnotherKek_RefusesToStartNamingBothKeys()
    {
        var folder = Directory.CreateTempSubdirectory("hp-keyring-");
        try
        {
            var first = KeyEncryptionKey.Generate();
            DataProtectionProvider.Create(folder, b => b.SetApplicationName("HealthPortal").Services.AddSingleton(first)
                .Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlEncryptor = new KekXmlEncryptor(first)))
                .CreateProtector("test").Protect([1, 2, 3]);
            var second = KeyEncryptionKey.Generate();

            var refused = Assert.Throws<InvalidOperationException>(() => KeyRingProtection.EncryptStoredKeys(folder.FullName, second));

            Assert.Contains(first.Id, refused.Message, StringComparison.Ordinal);
            Assert.Contains(second.Id, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void EncryptedRing_WithoutAKek_RefusesToStartEvenInDevelopment()
    {
        var data = Directory.CreateTempSubdirectory("hp-data-");
        try
        {
            var keys = Directory.CreateDirectory(Path.Combine(data.FullName, "keys"));
            var kek = KeyEncryptionKey.Generate();
            DataProtectionProvider.Create(keys, b => b.SetApplicationName("HealthPortal").Services.AddSingleton(kek)
                .Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlEncryptor = new KekXmlEncryptor(kek)))
                .CreateProtector("test").Protect([1, 2, 3]);
            var development = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Development" };

            var refused = Assert.Throws<InvalidOperationException>(() => KeyRingProtection.Configure(
                new ServiceCollection().AddDataProtection(), new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), development, data.FullName, keys.FullName));

            // Said at start, naming the key it needs, rather than failing at the first cookie or ledger signature.
            Assert.Contains(kek.Id, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public void KekFileInsideTheDataFolder_IsRefused()
    {
        var data = Directory.CreateTempSubdirectory("hp-data-");
        try
        {
            var file = Path.Combine(data.FullName, "keyring.kek");
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

            var refused = Assert.Throws<InvalidOperationException>(() => KeyRingProtection.Load(new KeyRingOptions { KeyEncryptionKeyFile = file }, data.FullName));

            Assert.Contains("inside the data folder", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("not base64!", "not base64")]
    [InlineData("AAAA", "3 bytes")]
    public void MalformedKek_IsRefusedWithTheReason(string value, string reason)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => KeyRingProtection.Load(new KeyRingOptions { KeyEncryptionKey = value }, "/nonexistent-data"));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Data Protection's secret element (no namespace of its own) outside an encrypted envelope: a key in the clear.</summary>
    private static IEnumerable<XElement> MasterKeysInTheClear(XDocument xml) =>
        xml.Descendants().Where(e => e.Name.LocalName == "masterKey" && e.Element("value") is not null);

    /// <summary>The portal as deployed: Production, its public address set (Production requires one), with the given
    /// KEK (or none).</summary>
    private sealed class ProductionPortal(string? kek) : PortalFactory
    {
        public override string? KeyEncryptionKey => kek;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting(HealthPortal.Features.Security.PublicUrls.Key, "https://localhost/");
        }
    }

    /// <summary>A portal (Development, like the old node) on a given data folder, with the given KEK or none.</summary>
    private sealed class PortalOn(string folder, string? kek) : PortalFactory
    {
        public override string? KeyEncryptionKey => kek;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("HealthPortal:DataFolder", folder);
        }
    }

    private sealed class StolenCopy(DirectoryInfo root) : IDisposable
    {
        public DirectoryInfo Keys => new(Path.Combine(root.FullName, "keys"));
        public string LedgerKeys => Path.Combine(root.FullName, "ledger-keys");
        public void Dispose() => root.Delete(recursive: true);
    }

    /// <summary>A copy of the key ring and the ledger keys, so that nothing done to the copy touches the running portal's folder.</summary>
    private static StolenCopy CopyOf(string dataFolder)
    {
        var root = Directory.CreateTempSubdirectory("hp-stolen-");
        foreach (var sub in new[] { "keys", "ledger-keys" })
        {
            var target = Directory.CreateDirectory(Path.Combine(root.FullName, sub));
            foreach (var file in Directory.GetFiles(Path.Combine(dataFolder, sub)))
                File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)));
        }
        return new StolenCopy(root);
    }
}
