using System.Net;
using HealthPortal.Data;
using HealthPortal.Features.Demo;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Hosting;

public static class HostingExtensions
{
    /// <summary>
    /// How the node meets the network and the operator: the start-up checks of the deployment's settings, the reverse
    /// proxy it trusts, and Production's rules for demo data.
    /// </summary>
    public static WebApplicationBuilder AddPortalHosting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HostingOptions>().Bind(builder.Configuration.GetSection(HostingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HostingOptions>, HostingSettingsAreValid>();
        services.AddOptions<PortalDataOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalDataOptions>, DataFolderIsWritable>();
        services.AddOptions<LedgerSettings>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<LedgerSettings>, LedgerSettingsInRange>();
        // The limiter itself reads the section once while the app is built; this binds the same section to check it.
        services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitsArePositive>();

        if (!builder.Environment.IsDevelopment()) DemoInProduction.Apply(services, builder.Configuration);

        var listedHosts = (builder.Configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HostingOptions>, PublicUrls>((forwarded, hosting, urls) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.ForwardLimit = Math.Max(1, hosting.Value.ForwardLimit);
            // Loopback (IPv4 and IPv6) always, as the framework's defaults do, plus what the operator lists.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownIPNetworks.Add(new System.Net.IPNetwork(IPAddress.Loopback, 8));
            forwarded.KnownProxies.Add(IPAddress.IPv6Loopback);
            var (proxies, networks, _) = hosting.Value.Parse();
            foreach (var proxy in proxies) forwarded.KnownProxies.Add(proxy);
            foreach (var network in networks) forwarded.KnownIPNetworks.Add(network);
            // A trusted proxy may rename the host only to the hosts the host filter accepts (ports are not compared).
            if (urls.Base is { } publicBase) forwarded.AllowedHosts = [publicBase.IdnHost, .. listedHosts.Where(h => h != "*")];
        });
        // The first administrator of a node without one (HealthPortal:FirstAdmin:Email), after the database is prepared.
        services.AddHostedService<FirstAdmin>();
        // Passkeys are checked against the public origin and relying party, not the Origin header (see PasskeyOrigin).
        PasskeyOrigin.AddTo(services);
        // SIGTERM (systemd stop, docker stop): Kestrel stops accepting, the ledger refuses what is still queued, commits
        // the blocks already sealed and closes its store; 8 s for all of it keeps the exit inside systemd's and
        // orchestrators' usual 10 s grace.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(8));
        // Each console line carries its request's scope, including the trace and span ids, so a log line can be
        // matched to a trace and to the other lines of the same request.
        builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddSimpleConsole(console => console.IncludeScopes = true);

        return builder;
    }

    /// <summary>
    /// Checks the configuration before anything is opened (the checks above; a failure ends the start with one line,
    /// see <see cref="StartupFailure"/>), then the forwarded headers of trusted proxies, then, outside Development,
    /// the HTTPS gate. Call first, before the security middleware, so that everything after it sees the client's
    /// address and scheme.
    /// </summary>
    public static WebApplication UsePortalHosting(this WebApplication app)
    {
        app.Services.GetService<IStartupValidator>()?.Validate();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HealthPortal.Hosting");
        if (!app.Environment.IsDevelopment()) StaticAssetCheck.Run(app.Environment, logger);

        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseMiddleware<HttpsGate>();
            app.Lifetime.ApplicationStarted.Register(() => LogHowHttpsIsReached(app, logger));
        }
        app.Lifetime.ApplicationStarted.Register(StartupFailure.MarkStarted);
        return app;
    }

    private static void LogHowHttpsIsReached(WebApplication app, ILogger logger)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (addresses.Count == 0) return; // an in-memory test server has no endpoint to describe
        var https = HttpsGate.HttpsPortOf(addresses);
        var hosting = app.Services.GetRequiredService<IOptions<HostingOptions>>().Value;
        var trusted = string.Join(", ", ["loopback", .. hosting.KnownProxies, .. hosting.KnownNetworks]);
        if (https is not null)
        {
            logger.LogInformation("HTTPS on port {Port}; plain HTTP requests are redirected there (proxies trusted for X-Forwarded-*: {Trusted})", https, trusted);
            return;
        }
        logger.LogWarning("No HTTPS endpoint ({Addresses}): the portal needs HTTPS, so a plain-HTTP request is answered only if a trusted " +
            "reverse proxy ({Trusted}; {Section}:KnownProxies/KnownNetworks) says it arrived over HTTPS (X-Forwarded-Proto: https). " +
            "Any other request gets a page explaining this. To serve HTTPS directly, listen on an https:// URL with " +
            "Kestrel:Certificates:Default:Path. See docs/deploy.md.", string.Join(", ", addresses), trusted, HostingOptions.Section);
    }
}
