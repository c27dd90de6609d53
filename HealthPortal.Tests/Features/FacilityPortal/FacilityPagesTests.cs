using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Invitations;

namespace HealthPortal.Tests.Features.FacilityPortal;

public sealed class FacilityPagesTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    private static readonly DemoData.Facility Lakeview = DemoData.Facilities.Single(f => f.Id == "demo-lakeview");

    protected override Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services);
        return Task.CompletedTask;
    }

    private async Task SignInAsync(string role)
    {
        var email = DemoData.AccountFor(role, Lakeview.Id).Email;
        Auth.SetAuthorized(email);
        Auth.SetRoles(role);
        Auth.SetPolicies(role == Roles.FacilityManager
            ? [PortalPolicies.FacilityPortal, PortalPolicies.FacilityManagement]
            : [PortalPolicies.FacilityPortal]);
        Auth.SetClaims(await database.ClaimsOfAsync(email));
    }

    [Fact]
    public async Task FacilityDashboard_ShowsTheStaffMembersFacilityNameAndKind()
    {
        await SignInAsync(Roles.FacilityStaff);

        var page = Render<FacilityDashboard>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(Lakeview.Name, page.Find("[data-testid='facility-name']").TextContent.Trim());
            Assert.Equal("Clinic", page.Find("[data-testid='facility-kind']").TextContent.Trim());
        });
        Assert.Empty(page.FindAll("[data-testid='staff-summary']"));
    }

    [Fact]
    public async Task FacilityDashboard_Manager_SeesTeamSummary()
    {
        await SignInAsync(Roles.FacilityManager);

        var page = Render<FacilityDashboard>();

        page.WaitForAssertion(() => Assert.Contains("1 manager, 1 staff member", page.Find("[data-testid='staff-summary']").TextContent));
    }

    [Fact]
    public async Task FacilityStaff_ListsOnlyThisFacilitysTeam()
    {
        await SignInAsync(Roles.FacilityManager);

        var page = Render<FacilityStaff>();

        page.WaitForAssertion(() =>
        {
            var emails = page.FindAll("[data-testid='staff-table'] tbody tr").Select(r => r.Children[1].TextContent.Trim()).Order().ToList();
            var expected = DemoData.Accounts.Where(a => a.FacilityId == Lakeview.Id).Select(a => a.Email).Order().ToList();
            Assert.Equal(expected, emails);
        });
    }

    [Fact]
    public async Task FacilityStaff_InviteStaff_ShowsOneTimeLinkAndStoresOnlyItsHash()
    {
        await SignInAsync(Roles.FacilityManager);
        var page = Render<FacilityStaff>();

        page.WaitForElement("[data-testid='invite-staff']").Click();

        var link = page.WaitForElement("[data-testid='invitation-link'] input").GetAttribute("value")!;
        Assert.Contains("Account/AcceptInvitation?token=", link);
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        await using var db = database.CreateContext();
        var stored = await db.StaffInvitations.Where(i => i.FacilityId == Lakeview.Id).Select(i => i.TokenHash).ToListAsync();
        Assert.Contains(HealthPortal.Features.Invitations.InvitationToken.Hash(token), stored);
        Assert.DoesNotContain(token, stored);
    }
}
