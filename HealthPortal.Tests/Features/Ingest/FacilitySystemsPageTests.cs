using System.Security.Claims;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ingest;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Ingest;

/// <summary>The manager's "Connected systems" page: credentials shown once, rotated, revoked.</summary>
[Collection(PortalCollection.Name)]
public sealed class FacilitySystemsPageTests(PortalFactory portal) : PortalComponentTest
{
    private const string Northgate = "demo-northgate";
    private FacilityApiClients? _clients;

    protected override async Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddLogging();
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<IOptions<PortalDataOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<CurrentFacility>();
        Services.AddSingleton<FacilityApiClients>();
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Northgate));
        Auth.SetAuthorized(manager.Identity!.Name ?? "manager");
        Auth.SetRoles(Roles.FacilityManager);
        Auth.SetPolicies(PortalPolicies.FacilityManagement, PortalPolicies.FacilityPortal);
        Auth.SetClaims([.. manager.Claims.Where(c => c.Type == ClaimTypes.NameIdentifier)]);
    }

    private FacilityApiClients Clients => _clients ??= Services.GetRequiredService<FacilityApiClients>();

    [Fact]
    public void Create_ShowsTheCredentialsOnce_ThenRotateAndRevokeTakeEffect()
    {
        var page = Render<FacilitySystems>();
        page.WaitForAssertion(() => Assert.Contains("Northgate", page.Find("h1").TextContent));
        var name = "LIS " + Guid.NewGuid().ToString("N")[..6];

        page.Find("input[data-testid='system-name']").Change(name);
        page.Find("[data-testid='system-create']").Click();

        var token = page.WaitForElement("input[data-testid='system-token']").GetAttribute("value")!;
        var client = Clients.Authenticate(token);
        Assert.NotNull(client);
        Assert.Equal(Northgate, client.FacilityId);
        Assert.Equal(name, client.Name);
        var row = page.FindAll("tr").Single(r => r.TextContent.Contains(name));
        Assert.Contains("Active", row.TextContent);

        page.Find("[data-testid='system-secret-done']").Click();
        Assert.Empty(page.FindAll("[data-testid='system-token']")); // not shown again

        page.FindAll("tr").Single(r => r.TextContent.Contains(name)).QuerySelector("[data-testid='system-rotate']")!.Click();
        var rotated = page.WaitForElement("input[data-testid='system-token']").GetAttribute("value")!;
        Assert.NotEqual(token, rotated);
        Assert.Null(Clients.Authenticate(token));
        Assert.NotNull(Clients.Authenticate(rotated));

        page.FindAll("tr").Single(r => r.TextContent.Contains(name)).QuerySelector("[data-testid='system-revoke']")!.Click();
        page.Find("[data-testid='system-revoke-confirm']").Click();
        page.WaitForAssertion(() => Assert.Contains("Revoked", page.FindAll("tr").Single(r => r.TextContent.Contains(name)).TextContent));
        Assert.Null(Clients.Authenticate(rotated));
    }

    [Fact]
    public void AnEmptyName_IsRefusedBesideTheField()
    {
        var page = Render<FacilitySystems>();
        page.WaitForAssertion(() => Assert.Contains("Northgate", page.Find("h1").TextContent));

        page.Find("[data-testid='system-create']").Click();

        page.WaitForAssertion(() => Assert.Contains("Name the system", page.Markup));
        Assert.Empty(page.FindAll("[data-testid='system-token']"));
    }
}
