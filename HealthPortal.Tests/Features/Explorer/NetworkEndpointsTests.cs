using System.Net;
using System.Text.Json.Nodes;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.Admission;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Tests.Features.Auth;

namespace HealthPortal.Tests.Features.Explorer;

/// <summary>
/// The network's pages and the receipt download on the real app. The admin pages live in Features/Explorer and
/// Features/Admission under /admin, so the route discovery (by address) has PortalAuthorizationTests run them against
/// every role; these tests check they are found.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class NetworkEndpointsTests(PortalFactory portal)
{
    public static readonly TheoryData<string> AdminNetworkPages = new(["/admin/registrations", "/admin/ledger", "/admin/network", "/admin/ledger/tx/1"]);

    private string SomeTransactionId()
    {
        var engine = portal.Services.GetRequiredService<LedgerHost>().Engine;
        var block = engine.Store.ReadBlock(1)!;
        return HealthPortal.Ledger.Crypto.Base64Url.Encode(engine.Store.ReadTransactions(block.TxFirst, 1)[0].Id);
    }

    [Theory, MemberData(nameof(AdminNetworkPages))]
    public void AdminNetworkPages_AreCoveredByTheAdminRouteDiscovery(string route)
    {
        Assert.Contains(route, PortalRoutes.Of(PortalRoutes.Admin));
    }

    [Fact]
    public async Task Join_IsOpenToAnonymousVisitors()
    {
        var response = await portal.CreateBrowser().GetAsync("/join");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Join the network", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HomeAndLogin_LinkToJoin()
    {
        var browser = portal.CreateBrowser();

        Assert.Contains("href=\"join\"", await browser.GetStringAsync("/"));
        Assert.Contains("href=\"join\"", await browser.GetStringAsync("/Account/Login"));
    }

    [Fact]
    public async Task Receipt_Admin_DownloadsAReceiptThatVerifiesOffline()
    {
        var admin = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin));
        var id = SomeTransactionId();

        var response = await admin.GetAsync($"/admin/ledger/receipts/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"receipt-{id}.json", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var json = await response.Content.ReadAsStringAsync();
        Assert.Equal(id, JsonNode.Parse(json)!["txId"]!.GetValue<string>());
        Assert.True(ReceiptVerifier.Verify(json).IsValid);
    }

    [Fact]
    public async Task Receipt_UnknownTransaction_IsNotFound()
    {
        var admin = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin));

        var response = await admin.GetAsync($"/admin/ledger/receipts/{new string('A', 43)}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Receipt_Anonymous_IsSentToLogin()
    {
        var response = await portal.CreateBrowser().GetAsync($"/admin/ledger/receipts/{SomeTransactionId()}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(Roles.Patient)]
    [InlineData(Roles.FacilityStaff)]
    [InlineData(Roles.FacilityManager)]
    public async Task Receipt_OtherRoles_AreDenied(string role)
    {
        var browser = await portal.SignInAsync(PortalFactory.DemoEmail(role));

        var response = await browser.GetAsync($"/admin/ledger/receipts/{SomeTransactionId()}");

        var denied = response.StatusCode == HttpStatusCode.Forbidden
            || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase));
        Assert.True(denied, $"{role}: {(int)response.StatusCode} {response.Headers.Location}");
    }
}
