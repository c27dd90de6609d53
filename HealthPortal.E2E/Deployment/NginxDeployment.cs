using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HealthPortal.E2E.Deployment;

/// <summary>
/// The node as docs/deploy.md sets it up: `dotnet publish` output started from another working folder in Production,
/// plain HTTP on loopback, behind a real nginx that ends TLS (self-signed certificate), upgrades the circuit's
/// WebSocket and sets X-Forwarded-*. nginx runs unprivileged with every path of its own under a temporary prefix.
/// </summary>
public sealed class NginxDeployment : IAsyncLifetime
{
    public const string DemoPassword = "deploy-e2e-password-2026";

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("hp-deploy-e2e-");
    private Process? app;
    private Process? nginx;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var published = Path.Combine(root.FullName, "published");
        await RunAsync("dotnet", ["publish", Path.Combine(RepositoryRoot(), "HealthPortal", "HealthPortal.csproj"), "-c", "Release", "-o", published, "-v", "q"], TimeSpan.FromMinutes(10));

        var appPort = FreePort();
        var tlsPort = FreePort();
        BaseUrl = new Uri($"https://localhost:{tlsPort}/");
        var nginxDir = Directory.CreateDirectory(Path.Combine(root.FullName, "nginx")).FullName;
        WriteCertificate(nginxDir);
        var conf = Path.Combine(nginxDir, "nginx.conf");
        await File.WriteAllTextAsync(conf, NginxConf(nginxDir, tlsPort, appPort));

        var kek = Path.Combine(root.FullName, "keyring.kek");
        await File.WriteAllTextAsync(kek, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var elsewhere = Directory.CreateDirectory(Path.Combine(root.FullName, "cwd")).FullName;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = elsewhere, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(published, "HealthPortal.dll"), "--data", Path.Combine(root.FullName, "data") }) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{appPort}";
        start.Environment["HealthPortal__KeyRing__KeyEncryptionKeyFile"] = kek;
        start.Environment["HealthPortal__PublicBaseUrl"] = BaseUrl.AbsoluteUri;
        start.Environment["HealthPortal__Demo__Seed"] = "true";
        start.Environment["HealthPortal__Demo__Password"] = DemoPassword;
        start.Environment["Ledger__Genesis__FacilityPowDifficultyBits"] = "8";
        start.Environment["Ledger__Genesis__PatientPowDifficultyBits"] = "8";
        app = Process.Start(start)!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, _) => { };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();

        var nginxStart = new ProcessStartInfo(NginxPath()) { UseShellExecute = false };
        foreach (var a in new[] { "-p", nginxDir, "-c", conf }) nginxStart.ArgumentList.Add(a);
        nginx = Process.Start(nginxStart)!;

        // Bounded wait for the node to migrate, seed and listen, through nginx.
        using var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var until = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            if (app.HasExited) throw new InvalidOperationException($"the published app exited with {app.ExitCode}");
            try
            {
                if ((await client.GetAsync(new Uri(BaseUrl, "Account/Login"))).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException("the app behind nginx did not answer the login page within 3 minutes");
            await Task.Delay(500);
        }
    }

    private static string NginxConf(string dir, int tlsPort, int appPort) => $$"""
        daemon off;
        worker_processes 1;
        pid {{dir}}/nginx.pid;
        error_log {{dir}}/error.log;
        events { worker_connections 64; }
        http {
          access_log {{dir}}/access.log;
          client_body_temp_path {{dir}}/body; proxy_temp_path {{dir}}/proxy; fastcgi_temp_path {{dir}}/fastcgi;
          uwsgi_temp_path {{dir}}/uwsgi; scgi_temp_path {{dir}}/scgi;
          map $http_upgrade $connection_upgrade { default upgrade; '' close; }
          server {
            listen 127.0.0.1:{{tlsPort}} ssl;
            server_name localhost;
            ssl_certificate {{dir}}/cert.pem;
            ssl_certificate_key {{dir}}/key.pem;
            location / {
              proxy_pass http://127.0.0.1:{{appPort}};
              proxy_http_version 1.1;
              proxy_set_header Upgrade $http_upgrade;
              proxy_set_header Connection $connection_upgrade;
              proxy_read_timeout 1h;
              proxy_set_header Host $http_host;
              proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
              proxy_set_header X-Forwarded-Proto $scheme;
              proxy_set_header X-Forwarded-Host $http_host;
            }
          }
        }
        """;

    private static void WriteCertificate(string dir)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(dir, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    private static string NginxPath() =>
        new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("nginx is missing: install Debian's nginx (apt-get install nginx), as .ci/run does.");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HealthPortal.sln"))) return dir.FullName;
        throw new InvalidOperationException("HealthPortal.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await output}{await error}");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { nginx, app })
        {
            if (process is null || process.HasExited) continue;
            // SIGTERM, as systemd stops the node; nginx treats it as a fast shutdown.
            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await process.WaitForExitAsync(wait.Token); } catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        }
        try { root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
