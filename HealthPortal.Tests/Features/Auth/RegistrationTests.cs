using System.Net;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Auth;

[Collection(PortalCollection.Name)]
public sealed class RegistrationTests(PortalFactory portal)
{
    private static async Task<HttpResponseMessage> RegisterAsync(HttpClient browser, string email, string password)
    {
        var form = await HtmlForm.LoadAsync(browser, "/Account/Register", "register");
        form["Input.DisplayName"] = "Thu Zar";
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        form["Input.ConfirmPassword"] = password;
        return await form.PostAsync(browser);
    }

    [Fact]
    public async Task Register_NewAddress_CreatesPatientAndMailsAWorkingConfirmationLink()
    {
        var email = $"thuzar-{Guid.NewGuid():N}@tests.healthportal.test";
        var browser = portal.CreateBrowser();

        var response = await RegisterAsync(browser, email, "twelve chars");

        // Not signed in at once any more: a taken address must get the same answer, and it cannot sign anyone in.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/Account/RegisterConfirmation", response.Headers.Location!.OriginalString);
        var roles = await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.GetRolesAsync((await users.FindByEmailAsync(email))!);
        });
        Assert.Equal([Roles.Patient], roles);

        var link = Assert.Single(portal.MailTo(email)).LinkTo("/Account/ConfirmEmail");
        Assert.NotNull(link);
        var confirmed = await browser.GetStringAsync(new Uri(link).PathAndQuery);
        Assert.Contains("Thank you for confirming your email", confirmed);
        Assert.True(await portal.QueryAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.EmailConfirmed).SingleAsync()));

        var signedIn = await portal.SignInAsync(email, "twelve chars");
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task Register_TakenAddress_AnswersExactlyLikeANewOne_AndMailsTheOwner()
    {
        var owner = await portal.CreateUserAsync(Roles.Patient);
        var fresh = $"fresh-{Guid.NewGuid():N}@tests.healthportal.test";

        var taken = await RegisterAsync(portal.CreateBrowser(), owner.Email!, "another password");
        var created = await RegisterAsync(portal.CreateBrowser(), fresh, "another password");

        // Before: 200 with "Email '…' is already taken." for the owner's address, a redirect for a new one.
        Assert.Equal(created.StatusCode, taken.StatusCode);
        Assert.Equal(created.Headers.Location, taken.Headers.Location);
        Assert.DoesNotContain("already taken", await taken.Content.ReadAsStringAsync());
        var notice = Assert.Single(portal.MailTo(owner.Email!));
        Assert.Contains("tried to create", notice.Subject);
        Assert.NotNull(notice.LinkTo("/Account/ForgotPassword"));
        Assert.Equal(1, await portal.QueryAsync(db => db.Users.CountAsync(u => u.Email == owner.Email)));
        Assert.Contains("/Account/ConfirmEmail", Assert.Single(portal.MailTo(fresh)).Body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RegisterConfirmation_ForAnyAddress_ShowsNeitherUserIdNorConfirmationLink(bool exists)
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var email = exists ? user.Email! : $"nobody-{Guid.NewGuid():N}@tests.healthportal.test";

        // Before: for an existing account, 200 with the user id and a working confirmation link; 404 otherwise.
        var response = await portal.CreateBrowser().GetAsync($"/Account/RegisterConfirmation?email={Uri.EscapeDataString(email)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Check your email", html);
        Assert.DoesNotContain(user.Id, html);
        Assert.DoesNotContain("ConfirmEmail", html);
        Assert.DoesNotContain("code=", html);
    }

    [Fact]
    public async Task ForgotPassword_MailsAResetLinkThatChangesThePassword()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/ForgotPassword", "forgot-password");
        form["Input.Email"] = user.Email!;
        await form.PostAsync(browser);

        var link = Assert.Single(portal.MailTo(user.Email!)).LinkTo("/Account/ResetPassword");
        Assert.NotNull(link);
        var reset = await HtmlForm.LoadAsync(browser, new Uri(link).PathAndQuery, "reset-password");
        reset["Input.Email"] = user.Email!;
        reset["Input.Password"] = "a brand new password";
        reset["Input.ConfirmPassword"] = "a brand new password";
        Assert.Contains("ResetPasswordConfirmation", (await reset.PostAsync(browser)).Headers.Location!.OriginalString);

        var signedIn = await portal.SignInAsync(user.Email!, "a brand new password");
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task Register_ElevenCharacterPassword_IsRefused()
    {
        var email = $"short-{Guid.NewGuid():N}@tests.healthportal.test";

        var response = await RegisterAsync(portal.CreateBrowser(), email, "eleven char");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("at least 12", await response.Content.ReadAsStringAsync());
        Assert.Null(await portal.WithScopeAsync(services => services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email)));
    }
}
