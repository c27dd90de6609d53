using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Mpi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Desk;

/// <summary>
/// The MPI workflows in Chromium with the demo's near-duplicates: the desk checks a walk-in ("Maung Min Thant Zaw",
/// day and month swapped), sees the candidates with the fields that agreed and disagreed and links the facility's MRN
/// to the registered patient's MPI number, registers someone new (a new MPI number is issued); then Lakeview's manager, an MPI
/// steward, scans the register, sees both records side by side and links the pair with a reason.
/// </summary>
public sealed class MpiWorkflowTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";

    private PortalRole As(string role) => new(role, DemoData.AccountFor(role, Lakeview).Email,
        Host.Services.GetRequiredService<IConfiguration>()["HealthPortal:Demo:Password"]!);

    [Fact]
    public async Task TheDesk_ChecksAWalkIn_AndTheSteward_LinksTheNearDuplicate()
    {
        var desk = await NewPageAsync(As(Roles.FacilityStaff));
        await desk.GotoAsync("facility/walk-in");
        await desk.WaitForInteractiveAsync(); // typed before the circuit is up would be lost
        await desk.Locator("input[data-testid='walk-in-name']").FillAsync("Maung Min Thant Zaw");
        await desk.Locator("input[data-testid='walk-in-birth-date']").FillAsync("11/03/1975");
        await desk.Locator("input[data-testid='walk-in-phone']").FillAsync("09 400 000 002");
        await desk.Locator("input[data-testid='walk-in-mrn']").FillAsync("C-2026-0001");
        await desk.GetByTestId("walk-in-check").ClickAsync();

        // Two candidates: Lakeview's own "Mg Min Thant Zaw" (written with the same swapped date) and Min's registration.
        await Expect(desk.GetByTestId("walk-in-candidate")).ToHaveCountAsync(2);
        var candidate = desk.GetByTestId("walk-in-candidate").Filter(new() { Has = desk.GetByTestId("field-partial").Filter(new() { HasText = "swapped day/month" }) });
        await Expect(candidate).ToHaveCountAsync(1);
        await Expect(candidate.GetByTestId("field-agree").Filter(new() { HasText = "Phone" })).ToHaveCountAsync(1);
        await candidate.GetByTestId("walk-in-same").ClickAsync();
        await Expect(desk.GetByTestId("walk-in-linked-mrn")).ToHaveTextAsync("C-2026-0001");

        await desk.Locator("input[data-testid='walk-in-name']").FillAsync("Ko Thet Naing Oo");
        await desk.Locator("input[data-testid='walk-in-birth-date']").FillAsync("21-9-1999");
        await desk.Locator("input[data-testid='walk-in-phone']").FillAsync("");
        await desk.Locator("input[data-testid='walk-in-mrn']").FillAsync("");
        await desk.GetByTestId("walk-in-check").ClickAsync();
        await Expect(desk.GetByTestId("walk-in-none")).ToBeVisibleAsync();
        await desk.GetByTestId("walk-in-new-patient").ClickAsync();
        await Expect(desk.GetByTestId("walk-in-new-mpi")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{4}-\d{4}$"));

        var steward = await NewPageAsync(As(Roles.FacilityManager));
        await steward.GotoAsync("facility/mpi-review");
        await steward.WaitForInteractiveAsync();
        await steward.GetByTestId("mpi-scan").ClickAsync();
        await Expect(steward.GetByTestId("mpi-scan-summary")).ToContainTextAsync("new in the queue");
        var pair = steward.GetByTestId("mpi-review-item").Filter(new() { HasText = "Chaw Thane Naing" });
        await Expect(pair).ToHaveCountAsync(1);
        await Expect(pair.GetByTestId("mpi-review-table")).ToContainTextAsync("U Kyaw Thein Naing");
        await Expect(pair.GetByTestId("field-partial").Filter(new() { HasText = "swapped day/month" })).ToHaveCountAsync(1);
        await pair.Locator("textarea[data-testid='mpi-review-reason']").FillAsync("Same phone; the patient confirmed both visits");
        await pair.GetByTestId("mpi-review-link").ClickAsync();
        await Expect(steward.GetByTestId("mpi-review-message")).ToContainTextAsync("Linked");
        await Expect(steward.GetByTestId("mpi-review-decision").First).ToContainTextAsync("Same phone; the patient confirmed both visits");

        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>().CreateDbContextAsync();
        var register = await db.Set<MpiRegisterEntry>().AsNoTracking().Where(e => e.Mrn == "H-000311" || e.Mrn == "C-2021-1188").ToListAsync();
        Assert.Single(register.Select(e => e.Mpi).Distinct()); // both facilities' MRNs now name one MPI number
        Assert.Single(await db.Set<MpiDecision>().AsNoTracking().Where(d => d.Decision == ReviewDecision.Link).ToListAsync());
    }
}
