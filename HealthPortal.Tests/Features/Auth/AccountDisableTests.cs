using System.Net;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Auth;

[Collection(PortalCollection.Name)]
public sealed class AccountDisableTests(PortalFactory portal)
{
    private async Task<AccountChange> DisableAsync(string userId)
    {
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));
        return await portal.WithScopeAsync(services => services.GetRequiredService<AdminDirectory>().SetDisabledAsync(admin, userId, disabled: true));
    }

    [Fact]
    public async Task DisabledUser_IsRefusedAtSignIn()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        Assert.Equal(AccountChange.Done, await DisableAsync(user.Id));

        var response = await PortalFactory.PostLoginAsync(portal.CreateBrowser(), user.Email!, PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Lockout", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task DisabledUser_OpenSessionNoLongerValidates()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var session = await portal.SessionPrincipalOfAsync(user.Email!);
        var validator = portal.Services.GetRequiredService<SessionValidator>();
        Assert.True(await validator.IsCurrentAsync(session));

        await DisableAsync(user.Id);

        Assert.False(await validator.IsCurrentAsync(session));
    }

    [Fact]
    public async Task TemporaryLockout_DoesNotEndOpenSessions()
    {
        // Five wrong passwords typed by someone else must not sign the real user out.
        var user = await portal.CreateUserAsync(Roles.Patient);
        var session = await portal.SessionPrincipalOfAsync(user.Email!);
        var browser = portal.CreateBrowser();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await PortalFactory.PostLoginAsync(browser, user.Email!, "someone guessing");
        }

        Assert.True(await portal.Services.GetRequiredService<SessionValidator>().IsCurrentAsync(session));
    }

    [Fact]
    public void OpenSessions_AreRevalidatedAtLeastEveryMinute()
    {
        Assert.True(SessionValidator.RevalidationInterval <= TimeSpan.FromMinutes(1));
        var stamps = portal.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;
        Assert.True(stamps.ValidationInterval <= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task DisableAccount_ByNonAdmin_IsForbidden()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager));

        var outcome = await portal.WithScopeAsync(services => services.GetRequiredService<AdminDirectory>().SetDisabledAsync(manager, user.Id, disabled: true));

        Assert.Equal(AccountChange.Forbidden, outcome);
    }

    [Fact]
    public async Task DisableAccount_OwnAccount_IsRefused()
    {
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));
        var adminId = admin.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value;

        var outcome = await portal.WithScopeAsync(services => services.GetRequiredService<AdminDirectory>().SetDisabledAsync(admin, adminId, disabled: true));

        Assert.Equal(AccountChange.NotYourself, outcome);
    }
}
