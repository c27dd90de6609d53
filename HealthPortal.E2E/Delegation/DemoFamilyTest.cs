using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Delegation;

/// <summary>
/// Base of the journeys of issue 14's demo family (<c>Demo/DemoFamilySeeder</c>): signing a demo person in with a
/// browser key, finding a demo person's MPI number, choosing whom to act for in the app bar.
/// </summary>
public abstract class DemoFamilyTest(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    protected PortalRole Role(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    protected LedgerHost Ledger => Host.Services.GetRequiredService<LedgerHost>();

    protected async Task<string> MpiOfAsync(string fullName)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await db.PatientProfiles.Where(p => p.FullName == fullName).Select(p => p.MpiNumber!).SingleAsync();
    }

    /// <summary>Signs in and gives this browser a key (demo mode: linked by the demo enrolment device), as a signing patient must.</summary>
    protected async Task<IPage> SignInWithKeyAsync(DemoData.Patient demo)
    {
        var page = await NewPageAsync(Role(demo));
        var devices = new DevicesPage(page);
        await devices.LinkWithDemoDeviceAsync();
        return page;
    }

    /// <summary>Chooses whom to act for in the app bar's switcher; the page reloads for that person.</summary>
    protected static async Task ActForAsync(IPage page, string mpi, string name)
    {
        await new PatientDashboardPage(page).GotoAsync();
        var switcher = page.GetByTestId("acting-for");
        await Expect(switcher).ToContainTextAsync("Acting for: myself");
        await switcher.GetByRole(AriaRole.Button).ClickAsync();
        await page.Locator($"[data-testid='acting-for-choice'][data-mpi='{mpi}']").ClickAsync();
        await Expect(page.GetByTestId("acting-for")).ToContainTextAsync("Acting for: " + name, new() { Timeout = 30_000 });
        await page.WaitForInteractiveAsync();
    }
}
