using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patient;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>
/// The key pages in their states — no key in this browser, registered with an active key, key revoked — over the
/// test portal's real database and ledger; this browser's key store is played by bUnit's JS interop.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class KeyPagesTests(PortalFactory portal) : PortalComponentTest
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
        return Task.CompletedTask;
    }

    private void SignIn(string userId, string email)
    {
        Auth.SetAuthorized(email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
    }

    private void BrowserHolds(Jwk? key)
    {
        var module = JSInterop.SetupModule(KeysModule);
        if (key is not null) module.Setup<JsonObject>("publicKey", _ => true).SetResult(key.ToJson());
    }

    private async Task<string> DemoPatientIdAsync(DemoData.Patient demo)
        => await portal.QueryAsync(db => db.Users.Where(u => u.Email == demo.Email).Select(u => u.Id).SingleAsync());

    [Fact]
    public async Task Devices_NoKeyInThisBrowser_SaysSoAndOffersLinkingRecoveryAndTheDemoDevice()
    {
        var aye = DemoData.Patients[0];
        SignIn(await DemoPatientIdAsync(aye), aye.Email);
        BrowserHolds(null);

        var page = Render<Devices>();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("no key", page.Find("[data-testid='this-device-status']").TextContent);
            Assert.Equal("patient/link", page.Find("[data-testid='go-link']").GetAttribute("href"));
            Assert.Equal("patient/recovery", page.Find("[data-testid='go-recovery']").GetAttribute("href"));
            Assert.Contains("demo only", page.Find("[data-testid='demo-link']").TextContent);
            Assert.Empty(page.FindAll("[data-testid='this-device']"));
            Assert.Empty(page.FindAll("[data-testid='link-panel']"));
        });
    }

    [Fact]
    public async Task Devices_RegisteredBrowser_MarksThisDeviceAndOffersLinking()
    {
        var patient = await portal.RegisteredPatientAsync();
        SignIn(patient.UserId, patient.Email);
        BrowserHolds(patient.Key!.Jwk);

        var page = Render<Devices>();

        page.WaitForAssertion(() =>
        {
            var row = page.Find("[data-testid='device-row'][data-this='true']");
            Assert.Equal(patient.Key.Kid, row.GetAttribute("data-kid"));
            Assert.Contains("This device", row.TextContent);
            Assert.Contains("active key", page.Find("[data-testid='this-device-status']").TextContent);
            Assert.NotNull(page.Find("[data-testid='open-link']"));
            Assert.Empty(page.FindAll("[data-testid='demo-link']"));
        });
    }

    [Fact]
    public async Task Devices_RevokedBrowserKey_SaysItWasRevokedAndOffersTheWayBack()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var second = new TestBrowserKey();
        await portal.WithScopeAsync(async services =>
        {
            var keys = services.GetRequiredService<PatientKeys>();
            var link = (await keys.OpenLinkAsync(patient.Principal))!;
            var body = (await keys.JoinLinkAsync(patient.Principal, link.Code, second.Jwk)).ValueOrThrow();
            await keys.SubmitLinkSignatureAsync(patient.Principal, second.Sign(TxType.KeyAdd, body));
            Assert.True((await keys.ApproveLinkAsync(patient.Principal, link.Id, patient.Key!.Jwk, patient.Key.Sign(TxType.KeyAdd, link.Body!))).IsOk);
            var revoke = (await keys.DraftRevokeAsync(patient.Principal, patient.Key.Kid)).ValueOrThrow();
            Assert.True((await keys.RevokeAsync(patient.Principal, revoke, second.Jwk, second.Sign(TxType.KeyRevoke, revoke))).IsOk);
            return 0;
        });
        SignIn(patient.UserId, patient.Email);
        BrowserHolds(patient.Key!.Jwk);

        var page = Render<Devices>();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("revoked", page.Find("[data-testid='this-device-status']").TextContent);
            Assert.NotNull(page.Find("[data-testid='go-link']"));
            Assert.Empty(page.FindAll("[data-testid='revoke']"));
            Assert.Equal("true", page.Find($"[data-testid='device-row'][data-kid='{patient.Key.Kid}']").GetAttribute("data-this"));
        });
    }

    [Fact]
    public async Task KeySetup_NotRegisteredAndNoKey_OffersToMakeTheKey()
    {
        var patient = await portal.NewPatientAsync();
        SignIn(patient.UserId, patient.Email);
        BrowserHolds(null);

        var page = Render<KeySetup>();

        page.WaitForAssertion(() =>
        {
            Assert.False(page.Find("[data-testid='make-key']").HasAttribute("disabled"));
            Assert.Empty(page.FindAll("[data-testid='sign-register']"));
        });
    }

    [Fact]
    public async Task KeySetup_WithoutDetails_AsksForThemFirst()
    {
        var patient = await portal.NewPatientAsync(withProfile: false);
        SignIn(patient.UserId, patient.Email);
        BrowserHolds(null);

        var page = Render<KeySetup>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid='key-needs-profile']")));
    }

    [Fact]
    public async Task KeySetup_RegisteredWithThisBrowsersKey_SaysItIsReady()
    {
        var patient = await portal.RegisteredPatientAsync();
        SignIn(patient.UserId, patient.Email);
        BrowserHolds(patient.Key!.Jwk);

        var page = Render<KeySetup>();

        page.WaitForAssertion(() => Assert.Contains(patient.Mpi!, page.Find("[data-testid='key-ready']").TextContent));
    }

    [Fact]
    public async Task KeySetup_RegisteredButNoKeyHere_SendsToDevices()
    {
        var patient = await portal.RegisteredPatientAsync();
        SignIn(patient.UserId, patient.Email);
        BrowserHolds(null);

        var page = Render<KeySetup>();

        page.WaitForAssertion(() => Assert.Contains("no active key", page.Find("[data-testid='key-elsewhere']").TextContent));
    }

    [Fact]
    public async Task MpiCard_Registered_ShowsNameNumberAndAScannableQrCode()
    {
        var patient = await portal.RegisteredPatientAsync();
        SignIn(patient.UserId, patient.Email);

        var page = Render<MpiCard>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(patient.Mpi, page.Find("[data-testid='card-mpi']").TextContent.Trim());
            Assert.StartsWith("Test Patient", page.Find("[data-testid='card-name']").TextContent.Trim());
            var qr = page.Find("[data-testid='mpi-qr']");
            Assert.Equal("HPMPI:" + patient.Mpi, qr.GetAttribute("data-payload"));
            var png = Convert.FromBase64String(qr.GetAttribute("src")!["data:image/png;base64,".Length..]);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        });
    }

    [Fact]
    public async Task MpiCard_NotRegistered_PointsToKeySetup()
    {
        var patient = await portal.NewPatientAsync();
        SignIn(patient.UserId, patient.Email);

        var page = Render<MpiCard>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid='card-not-registered']")));
    }

    [Fact]
    public async Task KeySetup_WhenSigningFails_SaysSoAndTryAgainKeepsTheKeyTheNumberAndTheStamp()
    {
        var patient = await portal.NewPatientAsync();
        SignIn(patient.UserId, patient.Email);
        using var key = new TestBrowserKey();
        var module = JSInterop.SetupModule(KeysModule);
        var publicKey = module.Setup<JsonObject>("publicKey", _ => true);
        publicKey.SetResult(null!);
        module.Setup<JsonObject>("createKey", _ => true).SetResult(key.Jwk.ToJson());
        module.Setup<bool>("isNonExtractable", _ => true).SetResult(true);
        var solvePow = module.Setup<JsonObject>("solvePow", _ => true);
        module.Setup<string>("canonicalEnvelope", _ => true).SetResult("{\"body\":{},\"type\":\"patient.register\"}");
        var sign = module.Setup<string>("sign", _ => true);
        var page = Render<KeySetup>();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid='make-key']").HasAttribute("disabled")));

        // The key is made and the worker stamps the drafted registration.
        publicKey.SetResult(key.Jwk.ToJson());
        page.Find("[data-testid='make-key']").Click();
        page.WaitForAssertion(() => Assert.Single(solvePow.Invocations));
        var invocation = solvePow.Invocations.Single();
        var type = (string)invocation.Arguments[0]!;
        var body = (JsonObject)invocation.Arguments[1]!;
        var mpi = PatientKeys.StringOf(body, "mpi")!;
        Assert.Equal(key.Jwk.ToJson().ToJsonString(), body["key"]!.ToJsonString());
        var solved = ProofOfWork.Solve(type, body, (int)invocation.Arguments[2]!);
        solvePow.SetResult(solved);
        page.WaitForAssertion(() => Assert.Equal(mpi, page.Find("[data-testid='sign-mpi']").TextContent.Trim()));
        Assert.NotNull(page.Find("[data-testid='key-nonextractable']"));

        // Signing fails in the browser: the error is shown and nothing done so far is lost.
        sign.SetException(new Microsoft.JSInterop.JSException("The operation was aborted"));
        page.Find("[data-testid='sign-register']").Click();
        page.WaitForAssertion(() => Assert.Contains("The operation was aborted", page.Find("[data-testid='key-error']").TextContent));
        Assert.Equal(mpi, page.Find("[data-testid='sign-mpi']").TextContent.Trim());

        // Try again signs the same stamped registration, and it lands.
        sign.SetResult(key.Sign(type, solved));
        page.Find("[data-testid='key-retry']").Click();

        page.WaitForAssertion(() => Assert.Equal(mpi, page.Find("[data-testid='registered-mpi']").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Single(solvePow.Invocations);
        var ledger = portal.Services.GetRequiredService<LedgerHost>().Engine;
        Assert.Equal(key.Kid, Assert.Single(ledger.State.KeysOf(mpi)).Kid);
        Assert.Equal(ledger.State.Patient(mpi)!.RegisteredHeight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            page.Find("[data-testid='registered-height']").TextContent.Trim());
    }
}
