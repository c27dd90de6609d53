using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>"Link an Ethereum wallet" on the Devices page: what the patient is told when the wallet is missing or declines.</summary>
[Collection(PortalCollection.Name)]
public sealed class WalletLinkPageTests(PortalFactory portal) : PortalComponentTest
{
    protected override Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        return Task.CompletedTask;
    }

    private async Task<IRenderedComponent<Devices>> DevicesOfRegisteredPatient(Action<BunitJSModuleInterop> wallet)
    {
        var patient = await portal.RegisteredPatientAsync();
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
        JSInterop.SetupModule("./js/patient-keys.js").Setup<JsonObject>("publicKey", _ => true).SetResult(patient.Key!.Jwk.ToJson());
        wallet(JSInterop.SetupModule("./js/wallet.js"));
        var page = Render<Devices>();
        page.WaitForAssertion(() => page.Find("[data-testid='link-wallet']"));
        return page;
    }

    [Fact]
    public async Task LinkWallet_WithoutAWalletInTheBrowser_SaysNoWalletWasFoundAndLinksNothing()
    {
        var page = await DevicesOfRegisteredPatient(wallet => wallet.Setup<bool>("hasWallet").SetResult(false));
        var keysBefore = page.FindAll("[data-testid='device-row']").Count;

        page.Find("[data-testid='link-wallet']").Click();

        page.WaitForAssertion(() =>
        {
            var message = page.Find("[data-testid='wallet-message']").TextContent;
            Assert.Contains("No Ethereum wallet was found in this browser", message);
            Assert.Contains("Nothing was linked", message);
        });
        Assert.Equal(keysBefore, page.FindAll("[data-testid='device-row']").Count);
        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "requestAccount");
    }

    [Fact]
    public async Task LinkWallet_WhenTheUserDeclinesInTheWallet_SaysSo()
    {
        var page = await DevicesOfRegisteredPatient(wallet =>
        {
            wallet.Setup<bool>("hasWallet").SetResult(true);
            wallet.Setup<WalletAnswer>("requestAccount", _ => true).SetResult(new WalletAnswer(null, 4001, "User rejected the request."));
        });

        page.Find("[data-testid='link-wallet']").Click();

        page.WaitForAssertion(() => Assert.Contains("You declined to share an account in your wallet", page.Find("[data-testid='wallet-message']").TextContent));
    }
}
