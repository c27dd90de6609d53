using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.Features.Access;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Desk;

/// <summary>
/// The front desk finds one of its own patients without their MPI card: by part of the name typed any case, and by the
/// NRC number written the long way ("(Naing)"); the patient then heads the staff member's recent patients, and each
/// search is on the facility's audit trail.
/// </summary>
public sealed class StaffSearchTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";

    private PortalRole LakeviewStaff => new("lakeview staff", DemoData.AccountFor(Roles.FacilityStaff, Lakeview).Email,
        Host.Services.GetRequiredService<IConfiguration>()["HealthPortal:Demo:Password"]!);

    [Fact]
    public async Task Staff_FindTheirPatient_ByName_AndByNrc_ThenSeeThemAmongRecentPatients()
    {
        var demo = DemoData.Patients[0]; // Aye Aye Myint, 12/LAMANA(N)100001, with a seeded visit at Lakeview
        var desk = new FacilityDashboardPage(await NewPageAsync(LakeviewStaff));
        await desk.GotoAsync();

        await desk.Search.FillAsync("aye MYINT");
        await desk.SearchButton.ClickAsync();
        await Expect(desk.SearchResults.Filter(new() { HasText = demo.FullName })).ToHaveCountAsync(1);

        await desk.Search.FillAsync("12 / LaMaNa (Naing) 100001");
        await desk.Search.PressAsync("Enter");
        await Expect(desk.SearchResults).ToHaveCountAsync(1);
        await Expect(desk.SearchResults).ToContainTextAsync(demo.FullName);
        await Expect(desk.SearchResults).ToContainTextAsync("12/LAMANA(N)100001");

        await desk.Search.FillAsync("Nobody Qqxxzz");
        await desk.SearchButton.ClickAsync();
        await Expect(desk.SearchEmpty).ToBeVisibleAsync();

        await desk.Search.FillAsync(demo.NationalId);
        await desk.SearchButton.ClickAsync();
        await desk.SearchResults.First.ClickAsync();
        await Expect(desk.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/facility/patients/"));
        await Expect(desk.Page.GetByTestId("staff-patient-name")).ToBeVisibleAsync();

        await desk.GotoAsync();
        await Expect(desk.RecentPatients.First).ToContainTextAsync(demo.FullName);

        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>().CreateDbContextAsync();
        var trail = await db.FacilityAudit.AsNoTracking()
            .Where(e => e.FacilityId == Lakeview && e.Kind == FacilityAuditKind.DeskSearch).OrderByDescending(e => e.Id).Take(4).ToListAsync();
        Assert.Equal(4, trail.Count);
        Assert.Contains(trail, e => e.Target!.StartsWith("Nrc:", StringComparison.Ordinal) && e.Outcome == FacilityAuditOutcome.Found);
        Assert.Contains(trail, e => e.Target!.StartsWith("Name: Nobody", StringComparison.Ordinal) && e.Outcome == FacilityAuditOutcome.NotFound);
    }
}
