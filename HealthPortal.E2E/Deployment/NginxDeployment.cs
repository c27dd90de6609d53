using System.Diagnostics;

namespace HealthPortal.E2E.Deployment;

/// <summary>A published node as docs/deploy.md runs it: what a test of a deployment needs of it.</summary>
public interface IDeployment
{
    /// <summary>The public https address people type (<c>HealthPortal:PublicBaseUrl</c>), ending in '/'.</summary>
    Uri BaseUrl { get; }

    PublishedApp App { get; }
}

/// <summary>
/// The node as docs/deploy.md sets it up behind a proxy: `dotnet publish` output started from another working folder
/// in Production, plain HTTP on loopback, behind a real nginx that ends TLS (self-signed certificate), upgrades the
/// circuit's WebSocket and sets X-Forwarded-*. nginx runs unprivileged with every path of its own under a temporary prefix.
/// </summary>
public sealed class NginxDeployment : IDeployment, IAsyncLifetime
{
    public const string DemoPassword = PublishedApp.DemoPassword;

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("hp-deploy-e2e-");
    private PublishedApp? app;
    private Process? nginx;

    public Uri BaseUrl { get; private set; } = null!;

    public PublishedApp App => app ?? throw new InvalidOperationException("the app has not started");

    public async Task InitializeAsync()
    {
        var appPort = PublishedApp.FreePort();
        var tlsPort = PublishedApp.FreePort();
        BaseUrl = new Uri($"https://localhost:{tlsPort}/");
        var nginxDir = Directory.CreateDirectory(Path.Combine(root.FullName, "nginx")).FullName;
        PublishedApp.WriteCertificate(Path.Combine(nginxDir, "cert.pem"), Path.Combine(nginxDir, "key.pem"));
        var conf = Path.Combine(nginxDir, "nginx.conf");
        await File.WriteAllTextAsync(conf, NginxConf(nginxDir, tlsPort, appPort));

        app = await PublishedApp.StartAsync(root.FullName, BaseUrl, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{appPort}",
        });

        var nginxStart = new ProcessStartInfo(NginxPath()) { UseShellExecute = false };
        foreach (var a in new[] { "-p", nginxDir, "-c", conf }) nginxStart.ArgumentList.Add(a);
        nginx = Process.Start(nginxStart)!;

        // Bounded wait for the node to migrate, seed and listen, through nginx.
        await app.WaitUntilAnswersAsync(new Uri(BaseUrl, "Account/Login"), TimeSpan.FromMinutes(3));
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

    private static string NginxPath() =>
        new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("nginx is missing: install Debian's nginx (apt-get install nginx), as .ci/run does.");

    public async Task DisposeAsync()
    {
        // SIGTERM, as systemd stops them; nginx treats it as a fast shutdown.
        if (nginx is not null) await PublishedApp.Terminate(nginx, TimeSpan.FromSeconds(20));
        if (app is not null) await app.DisposeAsync();
        try { root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
