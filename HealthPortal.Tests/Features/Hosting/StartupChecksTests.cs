using HealthPortal.Data;
using HealthPortal.Features.Hosting;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Security;
using HealthPortal.Ledger.Storage;
using Microsoft.Extensions.Configuration;

namespace HealthPortal.Tests.Features.Hosting;

public sealed class StartupChecksTests
{
    [Fact]
    public void DataFolder_Writable_Passes()
    {
        var folder = Directory.CreateTempSubdirectory("hp-writable-");
        try
        {
            Assert.True(new DataFolderIsWritable().Validate(null, new PortalDataOptions { DataFolder = folder.FullName }).Succeeded);
            Assert.Empty(folder.GetFileSystemInfos());
        }
        finally { folder.Delete(recursive: true); }
    }

    [Fact]
    public void DataFolder_ThatCannotHoldFiles_FailsNamingTheFolderAndSetting()
    {
        // Tests run as root in CI, where mode bits stop nothing: a path under a regular file cannot be written by anyone.
        var file = Path.GetTempFileName();
        try
        {
            var result = new DataFolderIsWritable().Validate(null, new PortalDataOptions { DataFolder = file });

            Assert.True(result.Failed);
            Assert.Contains(file, result.FailureMessage, StringComparison.Ordinal);
            Assert.Contains("HealthPortal:DataFolder", result.FailureMessage, StringComparison.Ordinal);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void LedgerDefaults_Pass() => Assert.True(new LedgerSettingsInRange().Validate(null, new LedgerSettings()).Succeeded);

    [Theory]
    [InlineData("PatientPowDifficultyBits", "Ledger:Genesis:PatientPowDifficultyBits")]
    [InlineData("FacilityPowDifficultyBits", "Ledger:Genesis:FacilityPowDifficultyBits")]
    [InlineData("MaxGrantDays", "Ledger:Genesis:MaxGrantDays")]
    [InlineData("SealerKind", "Ledger:Genesis:Sealer:Kind")]
    [InlineData("MaxBlockTransactions", "Ledger:MaxBlockTransactions")]
    [InlineData("MaxClockSkewSeconds", "Ledger:MaxClockSkewSeconds")]
    public void LedgerSetting_OutOfRange_FailsNamingIt(string which, string key)
    {
        var settings = new LedgerSettings();
        switch (which)
        {
            case "PatientPowDifficultyBits": settings.Genesis.PatientPowDifficultyBits = 41; break;
            case "FacilityPowDifficultyBits": settings.Genesis.FacilityPowDifficultyBits = -1; break;
            case "MaxGrantDays": settings.Genesis.MaxGrantDays = 0; break;
            case "SealerKind": settings.Genesis.Sealer.Kind = "pharmacy"; break;
            case "MaxBlockTransactions": settings.MaxBlockTransactions = 0; break;
            case "MaxClockSkewSeconds": settings.MaxClockSkewSeconds = 0; break;
        }

        var result = new LedgerSettingsInRange().Validate(null, settings);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void LedgerStorage_BoundFromTheLedgerSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ledger:Storage:JournalMode"] = "Delete",
            ["Ledger:Storage:Synchronous"] = "Normal",
            ["Ledger:Storage:CacheSizeKiB"] = "2048",
            ["Ledger:Storage:WalAutoCheckpointPages"] = "500",
        }).Build();

        var storage = configuration.GetSection(LedgerSettings.Section).Get<LedgerSettings>()!.Storage;

        Assert.Equal(new LedgerStorageOptions
        {
            JournalMode = SqliteJournalMode.Delete,
            Synchronous = SqliteSynchronous.Normal,
            CacheSizeKiB = 2048,
            WalAutoCheckpointPages = 500,
        }, storage);
    }

    [Fact]
    public void LedgerStorage_Unset_KeepsTheLedgersDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:MaxBlockTransactions"] = "10" }).Build();

        Assert.Equal(new LedgerStorageOptions(), configuration.GetSection(LedgerSettings.Section).Get<LedgerSettings>()!.Storage);
    }

    [Theory]
    [InlineData("CacheSizeKiB", "Ledger:Storage:CacheSizeKiB")]
    [InlineData("WalAutoCheckpointPages", "Ledger:Storage:WalAutoCheckpointPages")]
    [InlineData("BusyTimeoutSeconds", "Ledger:Storage:BusyTimeoutSeconds")]
    [InlineData("Synchronous", "Ledger:Storage:Synchronous")]
    public void LedgerStorage_OutOfRange_FailsNamingIt(string which, string key)
    {
        var settings = new LedgerSettings();
        settings.Storage = which switch
        {
            "CacheSizeKiB" => settings.Storage with { CacheSizeKiB = 1 },
            "WalAutoCheckpointPages" => settings.Storage with { WalAutoCheckpointPages = 0 },
            "BusyTimeoutSeconds" => settings.Storage with { BusyTimeoutSeconds = -1 },
            _ => settings.Storage with { Synchronous = (SqliteSynchronous)9 },
        };

        var result = new LedgerSettingsInRange().Validate(null, settings);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LedgerHost_OpensTheStoreWithTheConfiguredPragmas()
    {
        // journal_mode is the one pragma SQLite keeps in the file, so a fresh connection shows what the host applied.
        var folder = Directory.CreateTempSubdirectory("hp-ledger-storage-");
        try
        {
            var settings = new LedgerSettings
            {
                Genesis = { PatientPowDifficultyBits = 4, FacilityPowDifficultyBits = 4 },
                Storage = new LedgerStorageOptions { JournalMode = SqliteJournalMode.Delete },
            };
            var host = new LedgerHost(Microsoft.Extensions.Options.Options.Create(settings), Microsoft.Extensions.Options.Options.Create(new PortalDataOptions { DataFolder = folder.FullName }),
                new ServerKeyVault(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider(), Path.Combine(folder.FullName, "ledger-keys")),
                TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<LedgerHost>.Instance);
            await host.StartAsync(CancellationToken.None);
            await host.DisposeAsync();

            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder.FullName, LedgerHost.LedgerFileName)};Pooling=False");
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("delete", command.ExecuteScalar() as string);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void RateLimits_Defaults_Pass() => Assert.True(new RateLimitsArePositive().Validate(null, new RateLimitOptions()).Succeeded);

    [Fact]
    public void RateLimit_ZeroWindow_FailsNamingIt()
    {
        var limits = new RateLimitOptions();
        limits.Interop.WindowSeconds = 0;

        var result = new RateLimitsArePositive().Validate(null, limits);

        Assert.Equal(["HealthPortal:RateLimits:Interop:WindowSeconds must be at least 1 (is 0)"], result.Failures);
    }

    [Fact]
    public void Certificate_ThatIsNotOne_FailsNamingThePath()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Kestrel:Certificates:Default:Path"] = file,
                ["Kestrel:Certificates:Default:Password"] = "x",
            }).Build();

            var result = new HostingSettingsAreValid(configuration).Validate(null, new HostingOptions());

            Assert.True(result.Failed);
            Assert.Contains($"Kestrel:Certificates:Default:Path '{file}' cannot be read", result.FailureMessage, StringComparison.Ordinal);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Certificate_PemWithKey_Passes()
    {
        var folder = Directory.CreateTempSubdirectory("hp-cert-");
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(Path.Combine(folder.FullName, "cert.pem"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(folder.FullName, "key.pem"), key.ExportPkcs8PrivateKeyPem());
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Kestrel:Certificates:Default:Path"] = Path.Combine(folder.FullName, "cert.pem"),
                ["Kestrel:Certificates:Default:KeyPath"] = Path.Combine(folder.FullName, "key.pem"),
            }).Build();

            Assert.True(new HostingSettingsAreValid(configuration).Validate(null, new HostingOptions()).Succeeded);
        }
        finally { folder.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("KnownProxies", "proxy.example")]
    [InlineData("KnownNetworks", "10.0.0.0/99")]
    public void ProxyList_WithSomethingThatIsNotAnAddress_Fails(string list, string entry)
    {
        var options = list == "KnownProxies" ? new HostingOptions { KnownProxies = [entry] } : new HostingOptions { KnownNetworks = [entry] };

        var result = new HostingSettingsAreValid(new ConfigurationBuilder().Build()).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"HealthPortal:Hosting:{list} entry '{entry}'", result.FailureMessage, StringComparison.Ordinal);
    }
}
