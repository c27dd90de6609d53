using HealthPortal.Features.Security;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Security;

[Collection(PortalCollection.Name)]
public sealed class SecurityHeadersTests(PortalFactory portal)
{
    [Theory]
    [InlineData("/Account/Login")]   // static Identity page
    [InlineData("/")]                // interactive page (Blazor adds its own frame-ancestors; ours must win)
    [InlineData("/app.css")]         // static asset
    public async Task Response_CarriesSecurityHeaders(string path)
    {
        var response = await portal.CreateBrowser().GetAsync(path);

        Assert.Equal(SecurityHeadersMiddleware.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.StartsWith("camera=(self)", Assert.Single(response.Headers.GetValues("Permissions-Policy")));
    }

    [Fact]
    public void ContentSecurityPolicy_AllowsNoInlineScriptAndNoFraming()
    {
        var directives = SecurityHeadersMiddleware.ContentSecurityPolicy.Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ') + 1)..]);

        // 'wasm-unsafe-eval' compiles WebAssembly only (the card scanner's decoder); 'unsafe-eval' and 'unsafe-inline' stay out.
        Assert.Equal("'self' 'wasm-unsafe-eval'", directives["script-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'self'", directives["default-src"]);
    }

    [Fact]
    public async Task Pages_DoNotEmbedInlineScripts()
    {
        // script-src 'self' refuses inline scripts (an import map is one); the page must not need any.
        var html = await portal.CreateBrowser().GetStringAsync("/Account/Login");

        var scripts = System.Text.RegularExpressions.Regex.Matches(html, @"<script\b[^>]*>");
        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.Contains(" src=", script.Value));
    }

    [Fact]
    public async Task Cookies_AreHttpOnlyAndSameSite()
    {
        var response = await PortalFactory.PostLoginAsync(portal.CreateBrowser(), PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.Patient), PortalFactory.DemoPassword);

        var session = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("HealthPortal.Session=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
    }
}
