using System.Net;
using System.Text.Json;
using HealthPortal.Features.Security;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HealthPortal.Tests.Features.Security;

/// <summary>The portal as deployed: Production, its public address configured, one extra host allowed.</summary>
public sealed class ProductionPortal : PortalFactory
{
    public const string PublicBase = "https://portal.example/";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting(PublicUrls.Key, PublicBase);
        builder.UseSetting("AllowedHosts", "internal.example");
    }

    public HttpClient ClientFor(string host) =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"https://{host}/"), AllowAutoRedirect = false });
}

public sealed class PublicHostingTests(ProductionPortal portal) : IClassFixture<ProductionPortal>
{
    [Fact]
    public async Task ForeignHostHeader_Is400()
    {
        var response = await portal.ClientFor("evil.example").GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("portal.example")]
    [InlineData("internal.example")]
    public async Task FhirBaseUrl_IsTheConfiguredOne_WhicheverAllowedHostWasAsked(string host)
    {
        var response = await portal.ClientFor(host).GetAsync("/fhir/r4/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var capability = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("https://portal.example/fhir/r4", capability.RootElement.GetProperty("implementation").GetProperty("url").GetString());
    }
}

/// <summary>In Production (exception handler, no developer page) a logout without a token answered 500.</summary>
public sealed class ProductionLogoutTests(ProductionPortal portal) : IClassFixture<ProductionPortal>
{
    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_Is400_AndSignsNoOneOut()
    {
        var browser = portal.ClientFor("portal.example");
        var login = await PortalFactory.PostLoginAsync(browser, PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.Patient), PortalFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        var response = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["ReturnUrl"] = "" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/patient")).StatusCode);
    }
}

public sealed class PublicUrlsTests
{
    private sealed class Portal(IReadOnlyDictionary<string, string> settings) : PortalFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }

    [Fact]
    public void Production_WithoutPublicBaseUrl_RefusesToStart_NamingTheKey()
    {
        using var portal = new Portal(new Dictionary<string, string>());

        var error = Assert.Throws<InvalidOperationException>(() => portal.CreateClient());

        Assert.Contains(PublicUrls.Key, error.Message);
    }

    [Fact]
    public void Production_WithAllowedHostsStar_RefusesToStart()
    {
        using var portal = new Portal(new Dictionary<string, string> { [PublicUrls.Key] = "https://portal.example/", ["AllowedHosts"] = "*" });

        var error = Assert.Throws<InvalidOperationException>(() => portal.CreateClient());

        Assert.Contains("AllowedHosts", error.Message);
    }

    [Theory]
    [InlineData("portal.example")]
    [InlineData("/relative")]
    [InlineData("ftp://portal.example/")]
    [InlineData("https://portal.example/?x=1")]
    [InlineData("http://portal.example/")]
    public void From_RefusesWhatCannotBeAProductionBase(string value) =>
        Assert.Throws<InvalidOperationException>(() => PublicUrls.From(value, development: false));

    [Fact]
    public void Development_WithoutBase_FallsBackToTheRequest() =>
        Assert.Equal("http://localhost:5276/patient/link", PublicUrls.From(null, development: true).Absolute("patient/link", "http://localhost:5276/"));

    [Fact]
    public void Base_WithAPath_KeepsIt() =>
        Assert.Equal("https://example.org/health/patient/confirm/x", PublicUrls.From("https://example.org/health", development: false).Absolute("/patient/confirm/x", "http://evil.example/"));
}
