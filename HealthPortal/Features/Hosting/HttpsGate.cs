using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// Outside Development the portal's cookies (sign-in, antiforgery) are HTTPS-only, so a plain-HTTP request that
/// reached a form used to end in a 500. A request that is still plain HTTP after the trusted proxy's forwarded
/// headers were applied is redirected to this server's HTTPS endpoint when it has one, and otherwise answered with a
/// page that says why the portal needs HTTPS and how to set it up. Nothing behind the gate sees plain HTTP.
/// </summary>
public sealed class HttpsGate(RequestDelegate next, IServer server, IOptions<HttpsRedirectionOptions> redirection, IConfiguration configuration)
{
    private int? _httpsPort;
    private bool _portKnown;

    /// <summary>
    /// The node's probes, read by load balancers, monitoring and operators on the machine itself, which talk plain
    /// HTTP to Kestrel: they set no cookie and take no form, so plain HTTP cannot break them, and each keeps its own
    /// access rule (status only without an admin's cookie, which is never sent over HTTP; metrics only to listed networks).
    /// </summary>
    public static readonly string[] ProbePaths = ["/health/live", "/health/ready", "/metrics", "/node/status"];

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps || ProbePaths.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))) return next(context);

        var port = HttpsPort();
        if (port is not null)
        {
            var request = context.Request;
            var host = new HostString(request.Host.Host, port.Value);
            // 308 keeps the method and body, so a form posted over HTTP is not silently turned into a GET.
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = UriHelper.BuildAbsolute("https", host, request.PathBase, request.Path, request.QueryString);
            return Task.CompletedTask;
        }
        return WritePageAsync(context.Response);
    }

    /// <summary>The port of the HTTPS endpoint: configured (<c>https_port</c>, as for UseHttpsRedirection) or the one Kestrel listens on.</summary>
    private int? HttpsPort()
    {
        if (_portKnown) return _httpsPort;
        _httpsPort = redirection.Value.HttpsPort ?? ConfiguredPort() ?? HttpsPortOf(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
        _portKnown = true;
        return _httpsPort;
    }

    private int? ConfiguredPort() =>
        int.TryParse(configuration["HTTPS_PORT"] ?? configuration["https_port"], out var port) ? port : null;

    public static int? HttpsPortOf(IEnumerable<string> addresses)
    {
        foreach (var address in addresses)
        {
            // Kestrel reports wildcard bindings as https://[::]:443 or https://+:443, which Uri does not all parse.
            if (!address.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) continue;
            var colon = address.LastIndexOf(':');
            if (colon > "https://".Length && int.TryParse(address.AsSpan(colon + 1).TrimEnd('/'), out var port)) return port;
        }
        return null;
    }

    public const string PageTitle = "This portal needs HTTPS";

    private static Task WritePageAsync(HttpResponse response)
    {
        // 403 as IIS's "SSL required": the request is understood but refused over this transport. Not 500.
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        return response.WriteAsync(Page);
    }

    private static readonly string Page = $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{PageTitle}}</title>
        <style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f2f2f2;padding:0 .2em}</style></head>
        <body><h1>{{PageTitle}}</h1>
        <p>HealthPortal holds health records and signs people in, so it only works over HTTPS: its sign-in and form
        cookies are sent over encrypted connections only. This request arrived over plain HTTP, and this server has no
        HTTPS endpoint to send you to.</p>
        <p>If you run this portal, do one of these (see <code>docs/deploy.md</code>):</p>
        <ul>
        <li>Put it behind a reverse proxy that ends TLS (nginx, Apache, a load balancer) and sends
        <code>X-Forwarded-Proto: https</code>. A proxy on this machine is trusted; list any other in
        <code>{{WebUtility.HtmlEncode(HostingOptions.Section)}}:KnownProxies</code> or <code>:KnownNetworks</code>.</li>
        <li>Or let the portal serve HTTPS itself: listen on an <code>https://</code> URL and set
        <code>Kestrel:Certificates:Default:Path</code> (and <code>KeyPath</code> or <code>Password</code>).</li>
        </ul></body></html>
        """;
}
