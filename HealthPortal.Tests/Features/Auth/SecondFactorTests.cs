using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Auth;

/// <summary>Staff and administrators reach their portal only after a second factor (finding 3 of the red-team issue).</summary>
[Collection(PortalCollection.Name)]
public sealed partial class SecondFactorTests(PortalFactory portal)
{
    private Task<ApplicationUser> WithoutSecondFactorAsync(string role, string? facilityId = null) =>
        portal.WithScopeAsync(async services =>
        {
            var created = await portal.CreateUserAsync(role, facilityId);
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByIdAsync(created.Id))!;
            await users.SetTwoFactorEnabledAsync(user, false);
            await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", null);
            return user;
        });

    [Theory]
    [InlineData(Roles.Admin, "/admin")]
    [InlineData(Roles.FacilityStaff, "/facility")]
    [InlineData(Roles.FacilityManager, "/facility")]
    public async Task PasswordOnly_IsSentToSetUpASecondFactor_AndThePortalStaysShut(string role, string home)
    {
        var user = await WithoutSecondFactorAsync(role, role == Roles.Admin ? null : "demo-riverside");
        var browser = portal.CreateBrowser();

        var login = await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword);
        Assert.EndsWith("/" + SecondFactor.EnrolPath, login.Headers.Location!.OriginalString);
        var enrol = await browser.GetStringAsync("/" + SecondFactor.EnrolPath);
        Assert.Contains("second factor", enrol);
        Assert.Contains("Account/Manage/EnableAuthenticator", enrol);

        // Before: the portal opened on the password alone.
        var portalPage = await browser.GetAsync(home);
        Assert.Equal(HttpStatusCode.Redirect, portalPage.StatusCode);
        Assert.EndsWith("/" + SecondFactor.EnrolPath, portalPage.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData(Roles.Admin, "/admin")]
    [InlineData(Roles.FacilityStaff, "/facility")]
    public async Task AuthenticatorCode_OpensThePortal(string role, string home)
    {
        var user = await portal.CreateUserAsync(role, role == Roles.Admin ? null : "demo-riverside");
        var browser = portal.CreateBrowser();

        var login = await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword);
        Assert.Contains("LoginWith2fa", login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(home)).StatusCode); // not before the code

        var second = await PortalFactory.PostSecondFactorAsync(browser, login.Headers.Location.OriginalString, Totp.Code(await portal.AuthenticatorKeyAsync(user.Email!)));
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);

        // The policy asks for amr=mfa; that it passes here shows Identity's two-factor sign-in sets that claim.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(home)).StatusCode);
    }

    [Fact]
    public async Task CodeStepWithoutAPendingSignIn_SendsBackToTheLoginForm_NotAnErrorPage()
    {
        // No password step in this browser (or its pending sign-in was lost): the form and a post to it both go
        // back to the login form, which says why.
        var browser = portal.CreateBrowser();

        var form = await browser.GetAsync("/Account/LoginWith2fa");
        Assert.Equal(HttpStatusCode.Redirect, form.StatusCode);
        Assert.Equal("/Account/Login", new Uri(browser.BaseAddress!, form.Headers.Location!).AbsolutePath);
        var login = await browser.GetAsync(form.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("Your sign-in was interrupted", await login.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WrongAuthenticatorCode_IsRefused()
    {
        var user = await portal.CreateUserAsync(Roles.FacilityStaff, "demo-riverside");
        var browser = portal.CreateBrowser();
        var login = await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword);
        var right = Totp.Code(await portal.AuthenticatorKeyAsync(user.Email!));
        var wrong = right == "000000" ? "111111" : "000000";

        var second = await PortalFactory.PostSecondFactorAsync(browser, login.Headers.Location!.OriginalString, wrong);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("Invalid authenticator code", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/facility")).StatusCode);
    }

    [Fact]
    public async Task StaffCodeForm_OffersNoRememberedMachine()
    {
        // A remembered machine would skip the code next time and leave a password-only session the portal refuses.
        var user = await portal.CreateUserAsync(Roles.FacilityStaff, "demo-riverside");
        var browser = portal.CreateBrowser();
        var login = await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword);

        var form = await browser.GetStringAsync((login.Headers.Location!.IsAbsoluteUri ? login.Headers.Location.PathAndQuery : login.Headers.Location.OriginalString));

        Assert.DoesNotContain("Remember this machine", form);
    }

    [Fact]
    public async Task Patient_NeedsNoSecondFactor()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await portal.SignInAsync(user.Email!);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task Enrolling_SignsOut_ThenTheNewAuthenticatorOpensThePortal()
    {
        var user = await WithoutSecondFactorAsync(Roles.FacilityStaff, "demo-riverside");
        var browser = portal.CreateBrowser();
        await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword);

        var setup = await HtmlForm.LoadAsync(browser, "/Account/Manage/EnableAuthenticator", "send-code");
        var page = await browser.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var key = SharedKey().Match(page).Groups[1].Value.Replace(" ", "");
        setup["Input.Code"] = Totp.Code(key);
        var enabled = await setup.PostAsync(browser);

        var html = await enabled.Content.ReadAsStringAsync();
        Assert.Contains("sign-in-again", html);
        Assert.Contains(enabled.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("HealthPortal.Session=;", StringComparison.Ordinal));

        var signedIn = await portal.SignInAsync(user.Email!);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/facility")).StatusCode);
    }

    [Fact]
    public async Task SessionRefresh_KeepsTheSecondFactor()
    {
        // Identity rebuilds the cookie's principal from the database at every security stamp check, dropping amr.
        var options = portal.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;
        var context = new SecurityStampRefreshingPrincipalContext
        {
            CurrentPrincipal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa)], "Identity.Application")),
            NewPrincipal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.FacilityStaff)], "Identity.Application")),
        };

        await options.OnRefreshingPrincipal!(context);

        Assert.True(SecondFactor.IsSatisfiedBy(context.NewPrincipal!));
    }

    [Fact]
    public async Task DemoLoginPage_ShowsEachStaffAccountsCurrentCode_WhichIdentityAccepts()
    {
        var admin = PortalFactory.DemoEmail(Roles.Admin);
        var html = await portal.CreateBrowser().GetStringAsync("/Account/Login");

        var codes = DemoCode().Matches(html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        // Embedded, the page lists the embedded demo's staff and admins (the further consortium organisations' accounts live on their own nodes).
        Assert.Equal(HealthPortal.Features.DemoMode.DemoData.Accounts.Count(a => a.Role != Roles.Patient), codes.Count);
        Assert.DoesNotContain(codes.Keys, email => HealthPortal.Features.DemoMode.DemoData.Patients.Any(p => p.Email == email));
        var key = await portal.AuthenticatorKeyAsync(admin);
        Assert.Contains(codes[admin], new[] { Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(-30)), Totp.Code(key) });
        var accepted = await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.VerifyTwoFactorTokenAsync((await users.FindByEmailAsync(admin))!, TokenOptions.DefaultAuthenticatorProvider, codes[admin]);
        });
        Assert.True(accepted);
    }

    [GeneratedRegex(@"<kbd>([a-z2-7 ]+)</kbd>")]
    private static partial Regex SharedKey();

    [GeneratedRegex(@"data-testid=""demo-code"" data-email=""([^""]+)"">(\d{6})<")]
    private static partial Regex DemoCode();
}
