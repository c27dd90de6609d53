using Bunit;
using HealthPortal.Features.Accounts;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Admin;

public sealed class AdminPagesTests(PortalTestDatabase database, StandaloneLedger ledger)
    : PortalComponentTest, IClassFixture<PortalTestDatabase>, IClassFixture<StandaloneLedger>
{
    protected override async Task ConfigureAsync()
    {
        database.AddTo(Services);
        ledger.AddTo(Services); // the dashboard counts break-glass accesses awaiting review
        var admin = DemoData.AccountFor(Roles.Admin).Email;
        Auth.SetAuthorized(admin);
        Auth.SetRoles(Roles.Admin);
        Auth.SetPolicies(PortalPolicies.AdminPortal);
        Auth.SetClaims(await database.ClaimsOfAsync(admin));
    }

    [Fact]
    public void AdminDashboard_ListsEveryFacilityWithItsStatus()
    {
        var page = Render<AdminDashboard>();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid='facilities-table'] tbody tr");
            Assert.Equal(DemoData.Facilities.Count, rows.Count);
            foreach (var facility in DemoData.Facilities)
            {
                var row = Assert.Single(rows, r => r.TextContent.Contains(facility.Name));
                Assert.Contains("Approved", row.QuerySelector("[data-testid='facility-status']")!.TextContent);
            }
        });
    }

    [Fact]
    public void AdminAccounts_ListsEveryAccountWithItsRole()
    {
        var page = Render<AdminAccounts>();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid='accounts-table'] tbody tr");
            foreach (var account in DemoData.Accounts)
            {
                var row = Assert.Single(rows, r => r.TextContent.Contains(account.Email));
                Assert.Contains(RoleNames.Label(account.Role), row.TextContent);
            }
        });
    }

    [Fact]
    public async Task AdminAccounts_Disable_LocksTheAccountAndChangesItsSecurityStamp()
    {
        var target = DemoData.Patients[1].Email;
        var before = await database.UserAsync(target);
        var page = Render<AdminAccounts>();

        page.WaitForElement($"[data-testid='disable-{target}']").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid='enable-{target}']")));
        var after = await database.UserAsync(target);
        Assert.True(AccountQueries.IsDisabled(after.LockoutEnd));
        Assert.NotEqual(before.SecurityStamp, after.SecurityStamp);

        page.Find($"[data-testid='enable-{target}']").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid='disable-{target}']")));
        Assert.Null((await database.UserAsync(target)).LockoutEnd);
    }

    [Fact]
    public void AdminAccounts_OwnAccount_HasNoDisableButton()
    {
        var page = Render<AdminAccounts>();

        page.WaitForAssertion(() =>
        {
            var own = Assert.Single(page.FindAll("[data-testid='accounts-table'] tbody tr"), r => r.TextContent.Contains(DemoData.AccountFor(Roles.Admin).Email));
            Assert.Empty(own.QuerySelectorAll("button"));
        });
    }

    [Fact]
    public async Task AdminAccounts_AChildsRecordHolder_IsShownAsSuch_WithNoAddressAndNothingToDisable()
    {
        var id = Guid.NewGuid().ToString("N");
        await using (var db = database.CreateContext())
        {
            // As Children/ChildGuardianships makes it: no e-mail, password or role.
            var holder = new HealthPortal.Data.ApplicationUser { UserName = HealthPortal.Features.Patients.ChildHolderAccount.UserNameFor(id), DisplayName = "Child " + id[..6] };
            holder.NormalizedUserName = holder.UserName.ToUpperInvariant();
            db.Users.Add(holder);
            await db.SaveChangesAsync();
        }

        var page = Render<AdminAccounts>();

        page.WaitForAssertion(() =>
        {
            var row = Assert.Single(page.FindAll("[data-testid='accounts-table'] tbody tr"), r => r.TextContent.Contains("Child " + id[..6]));
            Assert.Contains("Child's records, kept for their guardian until the child takes over", row.QuerySelector("[data-testid='account-child-holder']")!.TextContent);
            Assert.Contains("No sign-in", row.QuerySelector("[data-testid='account-status']")!.TextContent);
            Assert.Contains("nobody signs in", row.TextContent);
            Assert.Empty(row.QuerySelectorAll("button"));
            Assert.Contains("child", page.Find("[data-testid='accounts-count']").TextContent);
        });
    }
}
