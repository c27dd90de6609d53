using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Features.ShareLinks;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.ShareLinks;

/// <summary>A portal whose share-link limit can be exceeded in a few requests (each test uses its own client address).</summary>
public sealed class ShareLinkPortal : PortalFactory
{
    public const int Limit = 4;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["HealthPortal:ShareLinks:PermitLimit"] = Limit.ToString(),
        ["HealthPortal:ShareLinks:WindowSeconds"] = "600",
        ["HealthPortal:ShareLinks:MaxPinAttempts"] = "2",
    };
}

/// <summary>The anonymous HTTP side of share links: the manifest's status codes and bodies, the rate limit, the viewer, the anchor check.</summary>
public sealed class ShareLinkEndpointTests(ShareLinkPortal portal) : IClassFixture<ShareLinkPortal>
{
    private readonly string _jwe = ShlJwe.Encrypt(RandomNumberGenerator.GetBytes(32), "{}"u8);

    private HttpClient Client(string address)
    {
        var client = portal.CreateClient();
        client.DefaultRequestHeaders.Add(PortalFactory.ClientAddressHeader, address);
        return client;
    }

    private async Task<string> AddAsync(string? pin = null, TimeSpan? lifetime = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var store = portal.Services.GetRequiredService<ShareLinkStore>();
        await store.AddAsync(new ShareLink(id, "owner", "0000-0000-0000", "Test", now - TimeSpan.FromHours(2), now + (lifetime ?? TimeSpan.FromDays(1)),
            pin is null ? null : ShareLinkManifests.HashPin(pin), pin is null ? 0 : 2, null, 1, _jwe.Length), _jwe);
        return id;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string id, string? pin = null) =>
        client.PostAsJsonAsync($"/shl/{id}/manifest", new { recipient = "Dr. Tan", passcode = pin });

    [Fact]
    public async Task Manifest_Served_HasTheSpecShapeAndOpenCors()
    {
        var id = await AddAsync();

        var response = await PostAsync(Client("198.51.100.1"), id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var file = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["files"]!.AsArray().Single()!;
        Assert.Equal("application/fhir+json", (string?)file["contentType"]);
        Assert.Equal(_jwe, (string?)file["embedded"]);
    }

    [Fact]
    public async Task Manifest_WrongPin_Is401WithRemainingAttempts_ThenLockedIs410()
    {
        var id = await AddAsync(pin: "4711");
        var client = Client("198.51.100.2");

        var first = await PostAsync(client, id, "0000");
        var second = await PostAsync(client, id, "0000");
        var right = await PostAsync(client, id, "4711");

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(1, (int?)JsonNode.Parse(await first.Content.ReadAsStringAsync())!["remainingAttempts"]);
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, right.StatusCode);
        Assert.Equal("locked", (string?)JsonNode.Parse(await right.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task Manifest_Expired_Is410WithASentence()
    {
        var id = await AddAsync(lifetime: TimeSpan.FromHours(-1));

        var response = await PostAsync(Client("198.51.100.3"), id);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("expired", (string?)body["error"]);
        Assert.Contains("expired", (string?)body["message"]);
    }

    [Fact]
    public async Task Manifest_UnknownId_Is404_AndNoRecipientIs400()
    {
        var client = Client("198.51.100.4");

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(client, "no-such-link")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/shl/{await AddAsync()}/manifest", new { passcode = "1" })).StatusCode);
    }

    [Fact]
    public async Task Manifest_BeyondTheLimit_Is429()
    {
        var client = Client("198.51.100.5");
        for (var i = 0; i < ShareLinkPortal.Limit; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PostAsync(client, "guess-" + i)).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(client, "guess-last")).StatusCode);
    }

    [Fact]
    public async Task Viewer_IsAPlainAnonymousPage_WithoutTheBlazorScript()
    {
        var response = await Client("198.51.100.6").GetAsync(ShareLinksExtensions.ViewerPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("/js/shl-viewer.js", html);
        Assert.DoesNotContain("blazor.web.js", html);
    }

    [Fact]
    public async Task AnchorStatus_UnknownTransaction_SaysUnknown_AndNamesNoPatient()
    {
        var body = await Client("198.51.100.7").GetStringAsync("/shl/anchors/not-a-transaction?hash=abc");

        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("unknown", (string?)json["verdict"]);
        Assert.DoesNotContain(json, p => p.Key.Contains("mpi", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Bundle_Anonymous_IsNotServed()
    {
        var response = await portal.CreateBrowser().GetAsync("/patient/share/bundle?tx=x");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
