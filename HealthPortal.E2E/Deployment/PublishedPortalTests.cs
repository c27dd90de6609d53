using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Deployment;

/// <summary>
/// What a person does first on a freshly deployed node, through its public https origin: each portal signs in and
/// runs on its Blazor circuit (a WebSocket over TLS), and a passkey is registered and then used to sign in, so the
/// WebAuthn origin and relying party the node checks are the public ones, not Kestrel's own address. The contexts
/// accept the test's self-signed certificate (IgnoreHTTPSErrors); WebAuthn runs on such a page as well (checked).
/// </summary>
/// (The concrete classes declare the fixtures: C# refuses two IClassFixture&lt;&gt; of a type parameter and a type.)
public abstract class PublishedPortalTests<TDeployment>(TDeployment deployment, ChromiumFixture chromium)
    where TDeployment : class, IDeployment
{
    protected TDeployment Deployment { get; } = deployment;

    protected ChromiumFixture Chromium { get; } = chromium;

    public static TheoryData<string, string, string> Portals => new()
    {
        { DemoData.Patients[0].Email, "patient", "My health profile" },
        { DemoData.AccountFor(Roles.FacilityStaff, "demo-riverside").Email, "facility", "Riverside" },
        { DemoData.AccountFor(Roles.FacilityManager, "demo-lakeview").Email, "facility/staff", "Staff" },
        { DemoData.AccountFor(Roles.Admin).Email, "admin", "Consortium" },
    };

    [Theory]
    [MemberData(nameof(Portals))]
    public async Task EachPortal_SignsIn_AndRunsOnItsCircuit_OverTheHttpsOrigin(string email, string path, string title)
    {
        var (context, page) = await OpenAsync();
        await using var _ = context;
        var circuit = WatchCircuit(page);

        await SignInAsync(page, email);
        var response = await page.GotoAsync(path);

        Assert.Equal(200, response!.Status);
        Assert.Equal(new Uri(Deployment.BaseUrl, path).AbsoluteUri, page.Url);
        // The interactive HeadOutlet re-renders <title> when the circuit takes over; wait for it rather than read it once.
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex(Regex.Escape(title)));
        // The page answers clicks: the circuit came up over wss:// on the public origin and rendered it.
        await page.Locator("[data-interactive=true]").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var socketUrl = await circuit.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith($"wss://localhost:{Deployment.BaseUrl.Port}/_blazor", socketUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passkey_RegisteredOnThePublicOrigin_SignsStaffInWithoutPasswordOrCode()
    {
        var email = DemoData.AccountFor(Roles.FacilityStaff, "demo-northgate").Email;
        var (context, page) = await OpenAsync();
        await using var _ = context;
        await SignInAsync(page, email);
        var authenticator = await VirtualAuthenticator.AddAsync(page);

        // Register: the browser creates the credential for the page's origin, the node checks that origin.
        await page.GotoAsync("Account/Manage/Passkeys");
        var console = new List<string>();
        page.Console += (_, m) => console.Add($"{m.Type}: {m.Text}");
        var added = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Add a new passkey" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.Contains("/Account/Manage/Passkeys", StringComparison.Ordinal));
        try
        {
            await page.WaitForPathAsync(new System.Text.RegularExpressions.Regex("/Account/Manage/RenamePasskey/"));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"registration answered {added.Status} and ended on {page.Url}: {await page.Locator("body").InnerTextAsync()}\n{string.Join("\n", console)}");
        }
        await page.Locator("input[id='Input.Name']").FillAsync("Deployment test key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.WaitForPathAsync(new System.Text.RegularExpressions.Regex("/Account/Manage/Passkeys"));
        await Assertions.Expect(page.GetByText("Deployment test key")).ToBeVisibleAsync();
        var credential = Assert.Single(await authenticator.CredentialsAsync());
        Assert.Equal("localhost", credential.GetProperty("rpId").GetString());

        // Sign in again with nothing but the passkey (a verified passkey is both factors for staff).
        await context.ClearCookiesAsync();
        await page.GotoAsync("Account/Login");
        // Chromium offers a passkey of this site as soon as the form loads (conditional mediation, the login form's
        // autofill) and the form posts it by itself; a browser that does not is asked through the button.
        try
        {
            await page.WaitForURLAsync(url => !IsLogin(url), new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            await page.Locator("input[name='Input.Email']").FillAsync(email);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
            await page.WaitForURLAsync(url => !IsLogin(url));
        }
        Assert.True((int)(await authenticator.CredentialsAsync())[0].GetProperty("signCount").GetDouble() >= 1, "the passkey was never used to sign in");

        var facility = await page.GotoAsync("facility");
        Assert.Equal(200, facility!.Status);
        Assert.Equal(new Uri(Deployment.BaseUrl, "facility").AbsoluteUri, page.Url);
        await page.Locator("[data-interactive=true]").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    private static bool IsLogin(string url) => new Uri(url).AbsolutePath.StartsWith("/Account/Login", StringComparison.OrdinalIgnoreCase);

    private async Task<(IBrowserContext, IPage)> OpenAsync()
    {
        var context = await Chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, BaseURL = Deployment.BaseUrl.AbsoluteUri, Locale = "en-US", TimezoneId = "UTC" });
        context.SetDefaultTimeout(ChromiumFixture.TimeoutMs * 2);
        return (context, await context.NewPageAsync());
    }

    private static Task<string> WatchCircuit(IPage page)
    {
        var circuit = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) => { if (socket.Url.Contains("/_blazor", StringComparison.Ordinal)) circuit.TrySetResult(socket.Url); };
        return circuit.Task;
    }

    /// <summary>The login form; staff and admins answer the second step with the code of their seeded authenticator.</summary>
    private async Task SignInAsync(IPage page, string email)
    {
        var login = await page.GotoAsync("Account/Login");
        Assert.Equal(200, login!.Status);
        var key = DemoAuthenticator.Accounts.Any(a => a.Email == email) ? Deployment.App.AuthenticatorKey(email) : null;
        await new LoginPage(page).LogInAsync(email, PublishedApp.DemoPassword, key);
    }
}

/// <summary>The published node directly on Kestrel's HTTPS endpoint with its own certificate.</summary>
public sealed class DirectHttpsPortalTests(DirectHttpsDeployment deployment, ChromiumFixture chromium)
    : PublishedPortalTests<DirectHttpsDeployment>(deployment, chromium), IClassFixture<DirectHttpsDeployment>, IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task PlainHttp_IsRedirectedToTheHttpsEndpoint_KeepingPathAndMethod()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await client.PostAsync(new Uri(Deployment.HttpUrl, "Account/Login?ReturnUrl=%2Fpatient"), new StringContent(""));

        Assert.Equal(System.Net.HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(new Uri(Deployment.BaseUrl, "Account/Login?ReturnUrl=%2Fpatient"), response.Headers.Location);
    }
}

/// <summary>The published node behind nginx, which ends TLS and forwards the circuit's WebSocket.</summary>
public sealed class BehindNginxPortalTests(NginxDeployment deployment, ChromiumFixture chromium)
    : PublishedPortalTests<NginxDeployment>(deployment, chromium), IClassFixture<NginxDeployment>, IClassFixture<ChromiumFixture>
{
    [Theory]
    [InlineData("_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("app.css")]
    [InlineData("js/patient-keys.js")]
    [InlineData("_framework/blazor.web.js")]
    public async Task PublishedApp_ServesItsStaticAssets_WithBodies(string path)
    {
        await using var request = await Chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var response = await request.APIRequest.GetAsync(new Uri(Deployment.BaseUrl, path).AbsoluteUri);

        Assert.Equal(200, response.Status);
        Assert.NotEmpty(await response.BodyAsync());
    }

    [Fact]
    public async Task MissingAsset_Is404()
    {
        await using var request = await Chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var response = await request.APIRequest.GetAsync(new Uri(Deployment.BaseUrl, "css/no-such-file.css").AbsoluteUri);

        Assert.Equal(404, response.Status);
    }
}
