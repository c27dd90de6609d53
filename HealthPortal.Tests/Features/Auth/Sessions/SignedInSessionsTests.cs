using System.Net;
using HealthPortal.Data;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Auth.Sessions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Auth.Sessions;

[Collection(PortalCollection.Name)]
public sealed class SignedInSessionsTests(PortalFactory portal)
{
    private const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private Task<List<UserSession>> SessionsOfAsync(ApplicationUser user) =>
        portal.QueryAsync(db => db.Sessions.AsNoTracking().Where(s => s.UserId == user.Id).OrderBy(s => s.CreatedAtMs).ToListAsync());

    [Fact]
    public async Task SessionsPage_ListsEveryBrowser_AndMarksThisOne()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (browser, _) = await SessionKit.SignInAsync(portal, user.Email!);
        await SessionKit.SignInAsync(portal, user.Email!, Firefox);

        var html = await browser.GetStringAsync("/Account/Manage/Sessions");

        Assert.Equal(2, html.Split("data-testid=\"session\"").Length - 1);
        Assert.Contains("Firefox on Windows", html);
        Assert.Single(html.Split("(this session)").Skip(1));
    }

    [Fact]
    public async Task ManageMenu_LinksToSessionsPage()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, (await portal.CreateUserAsync(Roles.Patient)).Email!);

        Assert.Contains("href=\"Account/Manage/Sessions\"", await browser.GetStringAsync("/Account/Manage"));
    }

    [Fact]
    public async Task SignOutOneSession_EndsThatBrowserOnly()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (mine, _) = await SessionKit.SignInAsync(portal, user.Email!);
        var (other, _) = await SessionKit.SignInAsync(portal, user.Email!);
        var otherId = (await SessionsOfAsync(user))[1].Id;

        var form = await HtmlForm.LoadAsync(mine, "/Account/Manage/Sessions", "end-session");
        form["End"] = otherId;
        var response = await form.PostAsync(mine);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        SessionKit.AssertSentToLogin(await other.GetAsync("/patient"), "the signed-out browser");
        Assert.Equal(HttpStatusCode.OK, (await mine.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task SignOutOneSession_OfAnotherAccount_IsRefused()
    {
        var victim = await portal.CreateUserAsync(Roles.Patient);
        var (victimBrowser, _) = await SessionKit.SignInAsync(portal, victim.Email!);
        var victimSession = Assert.Single(await SessionsOfAsync(victim)).Id;
        var (attacker, _) = await SessionKit.SignInAsync(portal, (await portal.CreateUserAsync(Roles.Patient)).Email!);

        var form = await HtmlForm.LoadAsync(attacker, "/Account/Manage/Sessions", "end-session");
        form["End"] = victimSession;
        await form.PostAsync(attacker);

        Assert.Equal(HttpStatusCode.OK, (await victimBrowser.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task SignOutEverywhere_EndsEveryBrowserOfTheAccount()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (mine, _) = await SessionKit.SignInAsync(portal, user.Email!);
        var (other, copied) = await SessionKit.SignInAsync(portal, user.Email!);

        var response = await (await HtmlForm.LoadAsync(mine, "/Account/Manage/Sessions", "end-all")).PostAsync(mine);

        SessionKit.AssertSentToLogin(response, "sign out everywhere");
        SessionKit.AssertSentToLogin(await other.GetAsync("/patient"), "the other browser");
        SessionKit.AssertSentToLogin(await SessionKit.GetWithCookieAsync(portal, copied, "/patient/records/export"), "a copy of its cookie");
        SessionKit.AssertSentToLogin(await mine.GetAsync("/patient"), "the browser that asked");
        Assert.Empty(await SessionsOfAsync(user));
    }

    [Fact]
    public async Task PasswordChange_EndsOtherSessions_KeepsThisOne()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (mine, _) = await SessionKit.SignInAsync(portal, user.Email!);
        var (other, _) = await SessionKit.SignInAsync(portal, user.Email!);

        var form = await HtmlForm.LoadAsync(mine, "/Account/Manage/ChangePassword", "change-password");
        form["Input.OldPassword"] = PortalFactory.DemoPassword;
        form["Input.NewPassword"] = "a-new-password-2026";
        form["Input.ConfirmPassword"] = "a-new-password-2026";
        Assert.Equal(HttpStatusCode.Redirect, (await form.PostAsync(mine)).StatusCode);

        SessionKit.AssertSentToLogin(await other.GetAsync("/patient"), "the other browser after the password change");
        Assert.Equal(HttpStatusCode.OK, (await mine.GetAsync("/patient")).StatusCode);
        Assert.Single(await SessionsOfAsync(user));
    }

    [Fact]
    public async Task PasswordReset_EndsEverySession()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (browser, copied) = await SessionKit.SignInAsync(portal, user.Email!);
        var token = await portal.WithScopeAsync(services =>
            services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>().GeneratePasswordResetTokenAsync(user));
        var code = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(token));

        var reset = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(reset, "/Account/ResetPassword?code=" + code, "reset-password");
        form["Input.Email"] = user.Email!;
        form["Input.Password"] = "a-reset-password-2026";
        form["Input.ConfirmPassword"] = "a-reset-password-2026";
        var response = await form.PostAsync(reset);

        Assert.Contains("ResetPasswordConfirmation", response.Headers.Location!.OriginalString);
        SessionKit.AssertSentToLogin(await browser.GetAsync("/patient"), "the browser signed in before the reset");
        SessionKit.AssertSentToLogin(await SessionKit.GetWithCookieAsync(portal, copied, "/patient/records/export"), "a copy of its cookie");
        Assert.Empty(await SessionsOfAsync(user));
    }

    [Fact]
    public async Task AdminDisable_EndsSessionsAtOnce()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (browser, _) = await SessionKit.SignInAsync(portal, user.Email!);
        var circuit = await portal.SessionPrincipalOfAsync(user.Email!);
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

        var outcome = await portal.WithScopeAsync(services => services.GetRequiredService<AdminDirectory>().SetDisabledAsync(admin, user.Id, disabled: true));

        Assert.Equal(AccountChange.Done, outcome);
        // Not "within a minute, at the next security-stamp check": the very next request.
        SessionKit.AssertSentToLogin(await browser.GetAsync("/patient"), "the disabled account's browser");
        Assert.Empty(await SessionsOfAsync(user));
        Assert.False(await portal.Services.GetRequiredService<SessionValidator>().IsCurrentAsync(circuit));
    }

    [Fact]
    public async Task EndedSession_OpenCircuitLosesItsUser()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var circuit = await portal.SessionPrincipalOfAsync(user.Email!);
        var validator = portal.Services.GetRequiredService<SessionValidator>();
        Assert.True(await validator.IsCurrentAsync(circuit));

        await portal.Services.GetRequiredService<UserSessions>().EndAllAsync(user.Id);

        Assert.False(await validator.IsCurrentAsync(circuit));
    }

    [Fact]
    public async Task PrincipalWithoutSession_DoesNotStand()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);

        Assert.False(await portal.Services.GetRequiredService<SessionValidator>().IsCurrentAsync(await portal.PrincipalOfAsync(user.Email!)));
    }

    [Fact]
    public async Task SessionsTable_HoldsNoCookieKey()
    {
        // The page shows row ids; they must not be usable as the cookie's key.
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (_, cookie) = await SessionKit.SignInAsync(portal, user.Email!);
        var row = Assert.Single(await SessionsOfAsync(user));

        SessionKit.AssertSentToLogin(await SessionKit.GetWithCookieAsync(portal, $"{SessionKit.CookieName}={row.Id}", "/patient"), "the row id as a cookie");
        Assert.DoesNotContain(row.Id, cookie);
    }
}
