using System.Net;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
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
    public async Task Register_CreatesSignedInPatientWithoutEmailConfirmation()
    {
        var email = $"thuzar-{Guid.NewGuid():N}@tests.healthportal.test";
        var browser = portal.CreateBrowser();

        var response = await RegisterAsync(browser, email, "twelve chars");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var roles = await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.GetRolesAsync((await users.FindByEmailAsync(email))!);
        });
        Assert.Equal([Roles.Patient], roles);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/patient")).StatusCode);
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
