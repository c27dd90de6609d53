using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Data.Sqlite;

namespace HealthPortal.E2E.Deployment;

/// <summary>
/// The node as docs/deploy.md installs it: the output of <c>dotnet publish</c> (made once per test run and shared by
/// every deployment fixture), started with <c>dotnet HealthPortal.dll</c> from another working folder, in Production,
/// with a key-encryption key and demo data switched on explicitly. Stopped with SIGTERM, as systemd stops it.
/// </summary>
public sealed class PublishedApp : IAsyncDisposable
{
    public const string DemoPassword = "deploy-e2e-password-2026";

    private static readonly Lazy<Task<string>> published = new(PublishAsync);
    private readonly Process process;
    private readonly StringBuilder log = new();

    private PublishedApp(Process process, string dataFolder)
    {
        this.process = process;
        DataFolder = dataFolder;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine("ERR " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataFolder { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The node's console (stdout and stderr), for a failing test's message.</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>
    /// Starts the published app in <paramref name="root"/>/data with <paramref name="environment"/> added to the
    /// Production settings every deployment shares (cheap proof of work so the seeded chain is made quickly).
    /// </summary>
    public static async Task<PublishedApp> StartAsync(string root, Uri publicBaseUrl, IReadOnlyDictionary<string, string> environment)
    {
        var folder = await published.Value;
        var kek = Path.Combine(root, "keyring.kek");
        await File.WriteAllTextAsync(kek, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var elsewhere = Directory.CreateDirectory(Path.Combine(root, "cwd")).FullName;
        var data = Path.Combine(root, "data");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = elsewhere, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(folder, "HealthPortal.dll"), "--data", data }) start.ArgumentList.Add(a);
        // The test runner's own settings must not decide how the node runs.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HealthPortal__", StringComparison.Ordinal) || k.StartsWith("Kestrel__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["HealthPortal__KeyRing__KeyEncryptionKeyFile"] = kek;
        start.Environment["HealthPortal__PublicBaseUrl"] = publicBaseUrl.AbsoluteUri;
        start.Environment["HealthPortal__Demo__Seed"] = "true";
        start.Environment["HealthPortal__Demo__Password"] = DemoPassword;
        start.Environment["Ledger__Genesis__FacilityPowDifficultyBits"] = "8";
        start.Environment["Ledger__Genesis__PatientPowDifficultyBits"] = "8";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return new PublishedApp(Process.Start(start)!, data);
    }

    /// <summary>Waits (bounded) until <paramref name="url"/> answers 200; fails at once with the node's log if it exits.</summary>
    public async Task WaitUntilAnswersAsync(Uri url, TimeSpan limit)
    {
        using var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the published app exited with {process.ExitCode}:\n{Log}");
            try
            {
                if ((await client.GetAsync(url)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException($"{url} did not answer 200 within {limit.TotalSeconds:0} s:\n{Log}");
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// The Base32 authenticator key the node seeded for a demo staff or admin account, read from its Identity store
    /// (Identity keeps it as a user token), so the test answers the second-factor step as the person's app would.
    /// </summary>
    public string AuthenticatorKey(string email)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(DataFolder, "identity.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = """
            SELECT t.Value FROM AspNetUserTokens t JOIN AspNetUsers u ON u.Id = t.UserId
            WHERE u.NormalizedEmail = $email AND t.LoginProvider = '[AspNetUserStore]' AND t.Name = 'AuthenticatorKey'
            """;
        query.Parameters.AddWithValue("$email", email.ToUpperInvariant());
        return query.ExecuteScalar() as string ?? throw new InvalidOperationException($"{email} has no authenticator key");
    }

    /// <summary>SIGTERM, then a bounded wait; returns the exit code.</summary>
    public async Task<int> StopAsync() => await Terminate(process, TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) await StopAsync();
        process.Dispose();
    }

    /// <summary>SIGTERM to <paramref name="target"/>; killed only if it outlives <paramref name="limit"/>.</summary>
    public static async Task<int> Terminate(Process target, TimeSpan limit)
    {
        if (target.HasExited) return target.ExitCode;
        using (var kill = Process.Start("kill", ["-TERM", target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) await kill.WaitForExitAsync();
        using var wait = new CancellationTokenSource(limit);
        try { await target.WaitForExitAsync(wait.Token); }
        catch (OperationCanceledException) { target.Kill(entireProcessTree: true); await target.WaitForExitAsync(); }
        return target.ExitCode;
    }

    /// <summary>A self-signed certificate for localhost (and 127.0.0.1), written as PEM, as an operator's would be.</summary>
    public static void WriteCertificate(string certificatePath, string keyPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> PublishAsync()
    {
        var output = Directory.CreateTempSubdirectory("hp-published-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(output, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // Without ReadyToRun: this test is about the proxy in front of the app (TLS, WebSocket upgrade, forwarded
        // headers), and precompiling every assembly took a publish from 8.7 to 14.3 minutes on the shared CI machine
        // (docs/benchmarks.md, "The third run"), beyond the bound below.
        foreach (var a in new[] { "publish", Path.Combine(RepositoryRoot(), "HealthPortal", "HealthPortal.csproj"), "-c", "Release", "-p:PublishReadyToRun=false", "-o", output, "-v", "q", "-nologo" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed: {await stdout}{await stderr}");
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HealthPortal.sln"))) return dir.FullName;
        throw new InvalidOperationException("HealthPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
