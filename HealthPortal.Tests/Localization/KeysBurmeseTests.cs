using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Localization;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Ledger.Crypto.Wallet;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Nethereum.Signer;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The key pages under Burmese, over the test portal's database and ledger (the rest of <c>Features/Keys</c> renders in
/// <see cref="BurmeseRenderTests"/>): setting up the key, the devices list, linking and recovering a browser, the
/// dashboard's call to action, and the admins' recoveries with their signer choice. MPI numbers, key fingerprints and
/// wallet addresses are data; the acting-for line (another folder) is stubbed.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class KeysBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string KeysModule = "./js/patient-keys.js";

    protected override Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        Services.AddScoped<PatientOnboarding>();
        Services.AddScoped<KeyRecoveries>();
        Services.AddScoped<AdminWallets>();
        ComponentFactories.AddStub<HealthPortal.Features.ActingFor.OwnDataNotice>();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task KeySetup_UnderBurmese_NotRegistered_ShowsNoEnglish()
    {
        var fresh = await portal.NewPatientAsync();
        SignIn(fresh);
        BrowserHolds(null);

        var texts = UnderBurmese(() =>
        {
            var setup = Render<KeySetup>();
            setup.WaitForElement("[data-testid='make-key']");
            return BurmeseText.Of(setup).ToList();
        });

        AssertBurmese(texts);
        Assert.Contains(texts, t => t.Contains("ကျွန်ုပ်၏ သော့ ပြုလုပ်ရန်", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeySetupAndDevices_UnderBurmese_WithAnActiveKeyHere_ShowNoEnglish()
    {
        var registered = await portal.RegisteredPatientAsync();
        SignIn(registered);
        BrowserHolds(registered.Key!.Jwk);

        var texts = UnderBurmese(() =>
        {
            var ready = Render<KeySetup>();
            ready.WaitForElement("[data-testid='key-ready']");
            var devices = Render<Devices>();
            devices.WaitForElement("[data-testid='device-row'][data-this='true']");
            devices.Find("[data-testid='revoke']").Click(); // the confirmation and how revoking works
            devices.WaitForElement("[data-testid='revoke-confirm']");
            return BurmeseText.Of(ready).Concat(BurmeseText.Of(devices)).ToList();
        });

        AssertBurmese(texts);
        Assert.Contains(texts, t => t.Contains("ရုပ်သိမ်းမလား", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DevicesLinkRecoverAndCallToAction_UnderBurmese_WithNoKeyHere_ShowNoEnglish()
    {
        var registered = await portal.RegisteredPatientAsync();
        SignIn(registered);
        BrowserHolds(null);

        var texts = UnderBurmese(() =>
        {
            var devices = Render<Devices>();
            devices.WaitForElement("[data-testid='go-link']");
            var link = Render<LinkDevice>();
            link.WaitForElement("[data-testid='link-code-input']");
            var recover = Render<RecoverKeys>();
            recover.WaitForElement("[data-testid='recovery-start']");
            var cta = Render<KeyCallToAction>();
            cta.WaitForElement("[data-testid='cta-link-browser']");
            return BurmeseText.Of(devices).Concat(BurmeseText.Of(link)).Concat(BurmeseText.Of(recover)).Concat(BurmeseText.Of(cta)).ToList();
        });

        AssertBurmese(texts);
    }

    [Fact]
    public async Task KeyCallToAction_UnderBurmese_NotRegistered_ShowsNoEnglish()
    {
        var fresh = await portal.NewPatientAsync();
        SignIn(fresh);
        BrowserHolds(null);

        var texts = UnderBurmese(() =>
        {
            var setUp = Render<KeyCallToAction>();
            setUp.WaitForElement("[data-testid='cta-setup-key']");
            return BurmeseText.Of(setUp).ToList();
        });

        AssertBurmese(texts);
    }

    [Fact]
    public async Task RecoveriesWithTheAdminsWallet_UnderBurmese_ShowNoEnglish()
    {
        // A fresh admin with a wallet on the ledger, so the signer choice ("the server-held consortium key / my wallet") shows.
        var admin = await portal.CreateUserAsync(Roles.Admin);
        var principal = await portal.PrincipalOfAsync(admin.Email!);
        var wallet = EthECKey.GenerateKey();
        var ledger = portal.Services.GetRequiredService<LedgerHost>();
        await portal.WithScopeAsync(async s =>
        {
            var wallets = s.GetRequiredService<AdminWallets>();
            var prepared = await wallets.PrepareLinkAsync(principal, wallet.GetPublicAddress());
            Assert.True(prepared.IsOk, prepared.Message);
            var signature = "0x" + Convert.ToHexStringLower(wallet.SignTyped(ledger.Reader.WalletTypedData(prepared.Value.Item1)!, ledger.Reader.WalletDomain));
            var linked = await wallets.CompleteLinkAsync(principal, prepared.Value.Item1, signature);
            Assert.True(linked.IsOk, linked.Message);
            return 0;
        });
        Auth.SetAuthorized(admin.Email!);
        Auth.SetRoles(Roles.Admin);
        Auth.SetPolicies(PortalPolicies.AdminPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, admin.Id));
        JSInterop.SetupModule("./js/wallet.js").Setup<WalletProvider[]>("listWallets").SetResult([]);

        var texts = UnderBurmese(() =>
        {
            var page = Render<Recoveries>();
            page.WaitForElement("[data-testid='recoveries-table']");
            var choice = Render<AdminSignerChoice>();
            choice.WaitForElement("[data-testid='signer-choice']");
            return BurmeseText.Of(page).Concat(BurmeseText.Of(choice)).ToList();
        });

        // Other tests' recoveries share the portal: who verified them, where, the document and reason they typed are
        // data, as is the wallet's address; the columns, statuses and buttons around them are the page's words.
        var reviews = await portal.WithScopeAsync(s => s.GetRequiredService<KeyRecoveries>().ReviewListAsync(principal));
        var data = reviews.SelectMany(r => new[] { r.VerifiedBy, r.FacilityName, r.IdentityDocument, r.Reason })
            .Append(wallet.GetPublicAddress()[..6]).Append(wallet.GetPublicAddress()[^4..])
            .OfType<string>().Where(d => d.Length > 0).OrderByDescending(d => d.Length).ToList();
        AssertBurmese([.. texts.Select(t => data.Aggregate(t, (text, value) => text.Replace(value, " ", StringComparison.Ordinal)))]);
        Assert.Contains(texts, t => t.Contains("ဆာဗာတွင် သိမ်းထားသော အဖွဲ့ချုပ်သော့", StringComparison.Ordinal));
    }

    private void SignIn(TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
    }

    private void BrowserHolds(Jwk? key)
    {
        var module = JSInterop.SetupModule(KeysModule);
        if (key is not null) module.Setup<JsonObject>("publicKey", _ => true).SetResult(key.ToJson());
        else module.Setup<JsonObject?>("publicKey", _ => true).SetResult(null);
    }

    private static List<string> UnderBurmese(Func<List<string>> render)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(PortalCultures.Burmese);
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private static void AssertBurmese(List<string> texts)
    {
        Assert.NotEmpty(texts);
        var english = texts.SelectMany(BurmeseText.EnglishWords).Distinct().ToList();
        Assert.True(english.Count == 0, "English under 'my': " + string.Join(", ", english) + "\n" + string.Join("\n", texts));
    }
}
