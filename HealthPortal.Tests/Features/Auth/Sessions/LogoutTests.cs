using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Auth.Sessions;

/// <summary>The red-team finding: after signing out, a saved copy of the session cookie still opened the patient portal.</summary>
[Collection(PortalCollection.Name)]
public sealed class LogoutTests(PortalFactory portal)
{
    [Theory]
    [InlineData("/patient")]
    [InlineData("/patient/records/export")]
    public async Task Logout_CopiedCookie_NoLongerOpensPatientPages(string path)
    {
        var (browser, copied) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Patient));
        Assert.Equal(HttpStatusCode.OK, (await SessionKit.GetWithCookieAsync(portal, copied, path)).StatusCode);

        var logout = await SessionKit.LogoutAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        SessionKit.AssertSentToLogin(await SessionKit.GetWithCookieAsync(portal, copied, path), $"{path} with the cookie copied before logout");
    }

    [Fact]
    public async Task Logout_EndsOnlyThatBrowsersSession()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (first, _) = await SessionKit.SignInAsync(portal, user.Email!);
        var (second, _) = await SessionKit.SignInAsync(portal, user.Email!);

        await SessionKit.LogoutAsync(first);

        SessionKit.AssertSentToLogin(await first.GetAsync("/patient"), "the browser that signed out");
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task SignInAsAnotherAccount_OnALiveSession_DoesNotHandOverItsKey()
    {
        // Session fixation: a cookie planted in the victim's browser must not become the victim's session.
        var (browser, planted) = await SessionKit.SignInAsync(portal, (await portal.CreateUserAsync(Roles.Patient)).Email!);
        var victim = await portal.CreateUserAsync(Roles.Patient);

        await PortalFactory.PostLoginAsync(browser, victim.Email!, PortalFactory.DemoPassword);

        SessionKit.AssertSentToLogin(await SessionKit.GetWithCookieAsync(portal, planted, "/patient"), "the planted cookie after the victim signed in");
        // The victim's browser signs in once more and then has a session of its own.
        await PortalFactory.PostLoginAsync(browser, victim.Email!, PortalFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/patient")).StatusCode);
    }
}
