namespace HealthPortal.E2E.Deployment;

/// <summary>
/// The node as docs/deploy.md sets it up without a proxy: `dotnet publish` output in Production, Kestrel listening on
/// HTTPS with its own certificate (PEM with a key file, <c>Kestrel:Certificates:Default</c>; self-signed here) and on
/// plain HTTP, which it redirects to the HTTPS endpoint.
/// </summary>
public sealed class DirectHttpsDeployment : IDeployment, IAsyncLifetime
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("hp-direct-e2e-");
    private PublishedApp? app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The plain-HTTP endpoint beside the HTTPS one.</summary>
    public Uri HttpUrl { get; private set; } = null!;

    public PublishedApp App => app ?? throw new InvalidOperationException("the app has not started");

    public async Task InitializeAsync()
    {
        var httpsPort = PublishedApp.FreePort();
        var httpPort = PublishedApp.FreePort();
        BaseUrl = new Uri($"https://localhost:{httpsPort}/");
        HttpUrl = new Uri($"http://localhost:{httpPort}/");
        var tls = Directory.CreateDirectory(Path.Combine(root.FullName, "tls")).FullName;
        var certificate = Path.Combine(tls, "cert.pem");
        var key = Path.Combine(tls, "key.pem");
        PublishedApp.WriteCertificate(certificate, key);

        app = await PublishedApp.StartAsync(root.FullName, BaseUrl, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"https://127.0.0.1:{httpsPort};http://127.0.0.1:{httpPort}",
            ["Kestrel__Certificates__Default__Path"] = certificate,
            ["Kestrel__Certificates__Default__KeyPath"] = key,
        });
        await app.WaitUntilAnswersAsync(new Uri(BaseUrl, "Account/Login"), TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        try { root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
