using System.Net;
using HealthPortal.Features.Hosting;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HealthPortal.Tests.Features.Hosting;

/// <summary>Production as deployed (public address https://portal.example/), with extra settings per fixture.</summary>
public class HostedPortal : PortalFactory
{
    public const string PublicHost = "portal.example";

    protected virtual IReadOnlyDictionary<string, string> Hosting => new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting(HealthPortal.Features.Security.PublicUrls.Key, $"https://{PublicHost}/");
        foreach (var (key, value) in Hosting) builder.UseSetting(key, value);
    }

    /// <summary>A client talking plain HTTP to the portal, as a browser typing http:// or a proxy would.</summary>
    public HttpClient PlainHttp() =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://{PublicHost}/"), AllowAutoRedirect = false });

    /// <summary>A plain-HTTP request from <paramref name="proxy"/> saying the client used HTTPS.</summary>
    public static HttpRequestMessage Forwarded(string path, string proxy)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ClientAddressHeader, proxy);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");
        return request;
    }
}

/// <summary>A proxy network besides loopback, as an operator with nginx on another machine configures it.</summary>
public sealed class PortalBehindProxyNetwork : HostedPortal
{
    protected override IReadOnlyDictionary<string, string> Hosting => new Dictionary<string, string>
    {
        ["HealthPortal:Hosting:KnownNetworks:0"] = "10.20.0.0/16",
    };
}

/// <summary>Kestrel also listens on HTTPS (here: the port named by the standard https_port setting).</summary>
public sealed class PortalWithHttpsPort : HostedPortal
{
    protected override IReadOnlyDictionary<string, string> Hosting => new Dictionary<string, string> { ["https_port"] = "8443" };
}

public sealed class HttpsGateTests(PortalBehindProxyNetwork portal) : IClassFixture<PortalBehindProxyNetwork>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task PlainHttp_HealthProbes_AreAnswered_NotGated(string path)
    {
        var response = await portal.PlainHttp().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainHttp_Metrics_FromLoopback_AreAnswered()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(PortalFactory.ClientAddressHeader, "127.0.0.1");

        var response = await portal.PlainHttp().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("healthportal_ledger_height", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainHttp_WithoutHttpsEndpoint_LoginIs403PageSayingWhyAndHow_Not500()
    {
        var response = await portal.PlainHttp().GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(HttpsGate.PageTitle, page, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-Proto", page, StringComparison.Ordinal);
        Assert.Contains("Kestrel:Certificates:Default:Path", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttp_FormPost_IsRefusedBeforeAntiforgery_Not500()
    {
        var response = await portal.PlainHttp().PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "x" }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ForwardedProtoHttps_FromLoopbackProxy_ServesLoginWithSecureCookies()
    {
        var response = await portal.PlainHttp().SendAsync(HostedPortal.Forwarded("/Account/Login", "127.0.0.1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ForwardedProtoHttps_FromIPv6Loopback_IsTrusted()
    {
        var response = await portal.PlainHttp().SendAsync(HostedPortal.Forwarded("/Account/Login", "::1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ForwardedProtoHttps_FromConfiguredNetwork_IsTrusted()
    {
        var response = await portal.PlainHttp().SendAsync(HostedPortal.Forwarded("/Account/Login", "10.20.3.4"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ForwardedProtoHttps_FromUntrustedAddress_IsIgnored_AndGetsTheHttpsPage()
    {
        var response = await portal.PlainHttp().SendAsync(HostedPortal.Forwarded("/Account/Login", "203.0.113.9"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(HttpsGate.PageTitle, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_LoginStillWorks()
    {
        var browser = portal.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"https://{HostedPortal.PublicHost}/"), AllowAutoRedirect = false });

        var login = await PortalFactory.PostLoginAsync(browser, PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.Patient), PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.DoesNotContain("Account/Login", login.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class HttpsRedirectTests(PortalWithHttpsPort portal) : IClassFixture<PortalWithHttpsPort>
{
    [Fact]
    public async Task PlainHttp_WithHttpsEndpoint_Is308ToTheSamePathOverHttps()
    {
        var response = await portal.PlainHttp().GetAsync("/Account/Login?ReturnUrl=%2Fpatient");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("https://portal.example:8443/Account/Login?ReturnUrl=%2Fpatient", response.Headers.Location!.AbsoluteUri);
    }

    [Theory]
    [InlineData(new[] { "http://127.0.0.1:5000", "https://127.0.0.1:5001" }, 5001)]
    [InlineData(new[] { "https://[::]:443" }, 443)]
    [InlineData(new[] { "https://+:8443/" }, 8443)]
    [InlineData(new[] { "http://localhost:5000" }, null)]
    public void HttpsPortOf_ReadsKestrelsAddresses(string[] addresses, int? port) =>
        Assert.Equal(port, HttpsGate.HttpsPortOf(addresses));
}
