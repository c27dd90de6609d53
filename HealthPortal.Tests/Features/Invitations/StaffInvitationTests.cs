using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Outcomes;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Invitations;

[Collection(PortalCollection.Name)]
public sealed class StaffInvitationTests(PortalFactory portal)
{
    private const string Northgate = "demo-northgate";

    private async Task<Result<NewInvitation, InvitationError>> InviteAsync(string managerEmail, string facilityId)
    {
        var manager = await portal.PrincipalOfAsync(managerEmail);
        return await portal.WithScopeAsync(services => services.GetRequiredService<StaffInvitations>().CreateAsync(manager, facilityId, null));
    }

    private static async Task<HttpResponseMessage> AcceptAsync(HttpClient browser, string token, string email)
    {
        var form = await HtmlForm.LoadAsync(browser, $"/Account/AcceptInvitation?token={Uri.EscapeDataString(token)}", "accept-invitation");
        form["Input.DisplayName"] = "New Colleague";
        form["Input.Email"] = email;
        form["Input.Password"] = "a long enough password";
        form["Input.ConfirmPassword"] = "a long enough password";
        return await form.PostAsync(browser);
    }

    [Fact]
    public async Task Invitation_CreatesStaffAccountOfTheInvitingFacility()
    {
        var invitation = await InviteAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Northgate), Northgate);
        var email = $"colleague-{Guid.NewGuid():N}@tests.healthportal.test";
        var browser = portal.CreateBrowser();

        var response = await AcceptAsync(browser, invitation.Value!.Token, email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // A new staff account sets up its second factor before the portal opens (SecondFactor).
        Assert.EndsWith("/" + SecondFactor.EnrolPath, response.Headers.Location!.OriginalString);
        var (facilityId, roles) = await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<HealthPortal.Data.ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            return (user.FacilityId, await users.GetRolesAsync(user));
        });
        Assert.Equal(Northgate, facilityId);
        Assert.Equal([Roles.FacilityStaff], roles);
        var portalPage = await browser.GetAsync("/facility");
        Assert.Equal(HttpStatusCode.Redirect, portalPage.StatusCode);
        Assert.EndsWith("/" + SecondFactor.EnrolPath, portalPage.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Invitation_WorksOnlyOnce()
    {
        var invitation = await InviteAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Northgate), Northgate);
        await AcceptAsync(portal.CreateBrowser(), invitation.Value!.Token, $"first-{Guid.NewGuid():N}@tests.healthportal.test");

        var page = await portal.CreateBrowser().GetStringAsync($"/Account/AcceptInvitation?token={Uri.EscapeDataString(invitation.Value!.Token)}");

        Assert.Contains("Invitation not valid", page);
        Assert.DoesNotContain("accept-invitation", page);
    }

    [Fact]
    public async Task Invitation_ByManagerOfAnotherFacility_IsForbidden()
    {
        var result = await InviteAsync(PortalFactory.DemoEmail(Roles.FacilityManager, "demo-riverside"), Northgate);

        Assert.Equal(InvitationError.Forbidden, result.Error);
        Assert.Null(result.Value);
    }

    [Fact]
    public async Task Invitation_ByStaffMember_IsForbidden()
    {
        var result = await InviteAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Northgate), Northgate);

        Assert.Equal(InvitationError.Forbidden, result.Error);
    }

    [Fact]
    public async Task Invitation_UnknownToken_ShowsNoForm()
    {
        var page = await portal.CreateBrowser().GetStringAsync("/Account/AcceptInvitation?token=made-up");

        Assert.Contains(InvitationRedemption.InvalidLink, System.Net.WebUtility.HtmlDecode(page));
    }
}
