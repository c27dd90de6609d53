using System.Diagnostics;
using System.Security.Cryptography;

namespace HealthPortal.Tests.Features.Hosting;

/// <summary>
/// The real executable (the HealthPortal.dll beside the tests) started in Production with one bad setting at a time:
/// it must stop before serving, with exit code 1 and one line on stderr naming what to fix, never the runtime's stack
/// trace and abort code 134.
/// </summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("hp-startup-");

    private string DataFolder => Path.Combine(root.FullName, "data");

    /// <summary>A Production configuration that passes every check, so each test changes exactly one thing.</summary>
    private Dictionary<string, string?> GoodProduction()
    {
        var kek = Path.Combine(root.FullName, "keyring.kek");
        File.WriteAllText(kek, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["HealthPortal__KeyRing__KeyEncryptionKeyFile"] = kek,
            ["HealthPortal__PublicBaseUrl"] = "https://localhost/",
            ["Ledger__Genesis__PatientPowDifficultyBits"] = "8",
            ["Ledger__Genesis__FacilityPowDifficultyBits"] = "8",
        };
    }

    [Fact]
    public async Task WithoutKek_Exits1_SayingWhatToSet()
    {
        var settings = GoodProduction();
        settings["HealthPortal__KeyRing__KeyEncryptionKeyFile"] = null;

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal__KeyRing__KeyEncryptionKeyFile");
    }

    [Fact]
    public async Task WithoutPublicBaseUrl_Exits1_NamingTheKey()
    {
        var settings = GoodProduction();
        settings["HealthPortal__PublicBaseUrl"] = null;

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal:PublicBaseUrl");
    }

    [Fact]
    public async Task GenesisDifficultyOutOfRange_Exits1_NamingTheSetting()
    {
        var settings = GoodProduction();
        settings["Ledger__Genesis__PatientPowDifficultyBits"] = "64";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "Ledger:Genesis:PatientPowDifficultyBits must be 0–40");
        Assert.False(File.Exists(Path.Combine(DataFolder, "ledger.db")), "no chain may be created from a refused genesis");
    }

    [Fact]
    public async Task LedgerStorageCacheOutOfRange_Exits1_NamingTheSetting()
    {
        var settings = GoodProduction();
        settings["Ledger__Storage__CacheSizeKiB"] = "1";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "Ledger:Storage:CacheSizeKiB: 1 is outside");
        Assert.False(File.Exists(Path.Combine(DataFolder, "ledger.db")), "no store may be opened with refused pragmas");
    }

    [Fact]
    public async Task ZeroRateLimit_Exits1_NamingTheLimit()
    {
        var settings = GoodProduction();
        settings["HealthPortal__RateLimits__Login__PermitLimit"] = "0";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal:RateLimits:Login:PermitLimit must be at least 1");
    }

    [Fact]
    public async Task DemoSeedingOn_WithShortPassword_Exits1()
    {
        var settings = GoodProduction();
        settings["HealthPortal__Demo__Seed"] = "true";
        settings["HealthPortal__Demo__Password"] = "short";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal:Demo:Password must be at least 12 characters");
    }

    [Fact]
    public async Task DemoSeedingOn_WithOnlyTheShippedPassword_Exits1()
    {
        var settings = GoodProduction();
        settings["HealthPortal__Demo__Seed"] = "true";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal__Demo__Password");
    }

    [Fact]
    public async Task UnreadableCertificate_Exits1_NamingThePath()
    {
        var settings = GoodProduction();
        var missing = Path.Combine(root.FullName, "no-such-cert.pem");
        settings["Kestrel__Certificates__Default__Path"] = missing;
        settings["Kestrel__Certificates__Default__KeyPath"] = Path.Combine(root.FullName, "no-such-key.pem");

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, $"Kestrel:Certificates:Default:Path '{missing}' cannot be read");
    }

    [Fact]
    public async Task DataFolderThatIsAFile_Exits1()
    {
        var settings = GoodProduction();
        File.WriteAllText(Path.Combine(root.FullName, "data"), "not a folder");

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, DataFolder);
    }

    [Fact]
    public async Task SmtpTransportWithoutHost_Exits1_NamingTheHostSetting()
    {
        var settings = GoodProduction();
        settings["HealthPortal__Email__Transport"] = "Smtp";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal:Email:Smtp:Host is not set");
        Assert.False(File.Exists(Path.Combine(DataFolder, "identity.db")), "nothing may be opened before the settings pass");
    }

    [Fact]
    public async Task SmtpPortOutOfRange_Exits1_NamingThePort()
    {
        var settings = GoodProduction();
        settings["HealthPortal__Email__Smtp__Host"] = "smtp.example.org";
        settings["HealthPortal__Email__Smtp__Port"] = "70000";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal:Email:Smtp:Port must be 1–65535");
    }

    [Fact]
    public async Task SenderThatIsNoAddress_Exits1_NamingFrom()
    {
        var settings = GoodProduction();
        settings["HealthPortal__Email__From"] = "HealthPortal";

        var (code, error) = await StartAsync(settings);

        AssertRefused(code, error, "HealthPortal:Email:From 'HealthPortal' is not a mail address");
    }

    [Fact]
    public async Task BuildOutputWithoutWebRoot_Exits1_SayingToPublish()
    {
        // The tests' folder holds the app's build output and its asset manifest, but no wwwroot: exactly the issue's
        // "ran from the build output" case, where CSS and JS came back as empty 200s.
        var (code, error) = await StartAsync(GoodProduction());

        AssertRefused(code, error, "dotnet publish");
        Assert.Contains("static file(s)", error, StringComparison.Ordinal);
    }

    private static void AssertRefused(int code, string error, string expected)
    {
        Assert.True(code == 1, $"exit code {code}, stderr: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got: " + error);
        Assert.StartsWith("HealthPortal cannot start: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    /// <summary>Starts the app with <paramref name="environment"/> and waits (bounded) for it to exit by itself.</summary>
    private async Task<(int Code, string Error)> StartAsync(Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root.FullName,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HealthPortal.dll"));
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(DataFolder);
        start.Environment["DOTNET_gcServer"] = "0";
        // The test runner's own environment must not decide this start.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HealthPortal__", StringComparison.Ordinal) || k.StartsWith("Kestrel__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the app did not exit on a bad configuration within 90 s; stdout: " + await output);
        }
        await output;
        return (process.ExitCode, (await error).Trim());
    }

    public void Dispose()
    {
        try { root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
