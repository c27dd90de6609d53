using HealthPortal.Data;
using HealthPortal.Features.Hosting;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Security;
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
