using System.Net;
using HealthPortal.Components.Account;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Features.Auth.Sessions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Auth;

/// <summary>A foreign ReturnUrl after login, sign-up or logout answered 500 (IdentityRedirectManager threw); it must go home.</summary>
[Collection(PortalCollection.Name)]
public sealed class ReturnUrlTests(PortalFactory portal)
{
    public static TheoryData<string> Foreign => ["//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example", "/\t/evil.example"];

    private static void AssertSentHome(HttpResponseMessage response, string returnUrl)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"ReturnUrl {returnUrl}: {(int)response.StatusCode}");
        var location = response.Headers.Location!;
        var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost/"), location);
        Assert.Equal("localhost", absolute.Host);
        Assert.Equal("/", absolute.AbsolutePath);
    }

    [Theory, MemberData(nameof(Foreign))]
    public async Task Login_ForeignReturnUrl_GoesHome(string returnUrl)
    {
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl), "login");
        form["Input.Email"] = PortalFactory.DemoEmail(Roles.Patient);
        form["Input.Password"] = PortalFactory.DemoPassword;

        AssertSentHome(await form.PostAsync(browser), returnUrl);
    }

    [Fact]
    public async Task Login_LocalReturnUrl_IsHonoured()
    {
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/Login?ReturnUrl=" + Uri.EscapeDataString("/patient/records"), "login");
        form["Input.Email"] = PortalFactory.DemoEmail(Roles.Patient);
        form["Input.Password"] = PortalFactory.DemoPassword;

        var response = await form.PostAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/patient/records", response.Headers.Location!.OriginalString);
    }

    // Sign-up no longer signs anyone in or follows a ReturnUrl (it answers every address alike with the "check your
    // mail" page, so that it reveals no account): a foreign ReturnUrl must still not take the browser off the portal.
    [Theory, MemberData(nameof(Foreign))]
    public async Task SignUp_ForeignReturnUrl_StaysOnThePortal(string returnUrl)
    {
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/Register?ReturnUrl=" + Uri.EscapeDataString(returnUrl), "register");
        form["Input.DisplayName"] = "Return Url";
        form["Input.Email"] = $"return-{Guid.NewGuid():N}@tests.healthportal.test";
        form["Input.Password"] = PortalFactory.DemoPassword;
        form["Input.ConfirmPassword"] = PortalFactory.DemoPassword;

        var response = await form.PostAsync(browser);

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"ReturnUrl {returnUrl}: {(int)response.StatusCode}");
        var location = response.Headers.Location!;
        var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost/"), location);
        Assert.Equal("localhost", absolute.Host);
        Assert.Equal("/Account/RegisterConfirmation", absolute.AbsolutePath);
        Assert.DoesNotContain("evil", absolute.Query, StringComparison.OrdinalIgnoreCase);
    }

    [Theory, MemberData(nameof(Foreign))]
    public async Task Logout_ForeignReturnUrl_GoesHome(string returnUrl)
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Patient));

        AssertSentHome(await SessionKit.LogoutAsync(browser, returnUrl), returnUrl);
    }

    [Fact]
    public async Task Logout_LocalReturnUrl_IsHonoured()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Patient));

        var response = await SessionKit.LogoutAsync(browser, "Account/Login");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_Is400_AndSignsNoOneOut()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Patient));

        var response = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["ReturnUrl"] = "" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/patient")).StatusCode);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("patient", true)]
    [InlineData("/patient/records?kind=lab", true)]
    [InlineData("Account/Manage", true)]
    [InlineData("//evil.example/", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("http:evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("\\\\evil.example", false)]
    [InlineData("/\t/evil.example", false)]
    [InlineData("javascript:alert(1)", false)]
    public void IsLocal_KeepsSitePathsOnly(string url, bool local) => Assert.Equal(local, LocalUrl.IsLocal(url));
}
