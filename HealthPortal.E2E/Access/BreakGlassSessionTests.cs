using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Admin;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.E2E.Access;

/// <summary>
/// Issue 16 in Chromium, break-glass as one session: a nurse opens emergency access, reloads the page twice (each
/// listing is a read, logged on the ledger), opens a record and ends emergency access. The patient sees one alert for
/// the session with its reads and end, and one grouped line in the history; the admin reviews one item; the patient is
/// told the outcome.
/// </summary>
public sealed class BreakGlassSessionTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{

    private PortalRole Nurse => new("riverside staff", DemoData.AccountFor(Roles.FacilityStaff, "demo-riverside").Email, DemoPassword);

    private PortalRole Admin => new("admin", DemoData.AccountFor(Roles.Admin).Email, DemoPassword);

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    [Fact]
    public async Task OneSession_ManyReads_OneAlertOneReview_EndedByStaff_PatientToldTheOutcome()
    {
        var demo = DemoData.Patients[1];
        var mpi = await MpiOfAsync(demo);
        var reason = $"Found unresponsive in the car park, need medication history ({Guid.NewGuid():N})"[..90];
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Reader;
        var emergencyReadsBefore = ledger.AccessesOf(mpi).Count(a => a.BreakGlass is not null);

        var ward = await NewPageAsync(Nurse);
        var patientPage = new FacilityPatientPage(ward, mpi);
        await patientPage.GotoAsync();
        var shared = patientPage.SharedRecords;
        await Expect(shared.NoGrant).ToBeVisibleAsync();
        await shared.EmergencyOpen.ClickAsync();
        await shared.EmergencyReasonCode("Patient unconscious").CheckAsync();
        await shared.EmergencyReason.FillAsync(reason);
        await shared.EmergencyConfirm.ClickAsync();
        // The plain-words step: nothing is open until the nurse says yes.
        await Expect(ward.Locator(".mud-dialog")).ToContainTextAsync("without their permission");
        Assert.Equal(emergencyReadsBefore, ledger.AccessesOf(mpi).Count(a => a.BreakGlass is not null));
        await shared.EmergencyYes.ClickAsync();
        await Expect(shared.EmergencySession).ToBeVisibleAsync();
        await Expect(shared.Table).ToBeVisibleAsync();

        // Two reloads of the staff page: each lists again, and each listing is a logged read.
        for (var i = 0; i < 2; i++)
        {
            await ward.ReloadAsync();
            await ward.WaitForInteractiveAsync();
            await Expect(shared.EmergencySession).ToBeVisibleAsync();
            await Expect(shared.Table).ToBeVisibleAsync();
        }
        await shared.View(shared.Table.Locator("tbody tr").First).ClickAsync();
        await Expect(shared.Detail).ToBeVisibleAsync();
        await shared.EmergencyEnd.ClickAsync();
        await Expect(shared.EmergencyEnded).ToBeVisibleAsync();
        await Expect(shared.EmergencySession).ToHaveCountAsync(0);
        await Expect(shared.Table).ToHaveCountAsync(0);

        // The ledger keeps every read.
        var reads = ledger.AccessesOf(mpi).Count(a => a.BreakGlass is not null) - emergencyReadsBefore;
        Assert.True(reads >= 4, $"{reads} emergency reads logged");

        // The patient: one alert item for the session, with its reads, the records read and that it ended; review pending.
        var phone = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        var home = new PatientDashboardPage(phone);
        await home.GotoAsync();
        var item = home.BreakGlassAlertItems.Filter(new() { HasText = reason });
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item).ToHaveAttributeAsync("data-reads", reads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(item.GetByTestId("break-glass-alert-ended")).ToBeVisibleAsync();
        await Expect(item.GetByTestId("break-glass-alert-record").First).ToContainTextAsync("read ");
        await Expect(item.GetByTestId("break-glass-alert-outcome")).ToHaveAttributeAsync("data-decision", "Pending");

        // "Who accessed my records": the repeated listings of the same records are one line with their count.
        var history = new AccessHistoryPage(phone);
        await history.GotoAsync();
        var grouped = history.Highlighted.Filter(new() { HasText = reason }).Filter(new() { Has = phone.GetByTestId("access-group-toggle") });
        await Expect(grouped.First).ToBeVisibleAsync();
        var toggle = grouped.First.GetByTestId("access-group-toggle");
        var count = int.Parse((await toggle.InnerTextAsync()).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(count >= 3, $"{count} reads on the line");
        await toggle.ClickAsync();
        await Expect(grouped.First.GetByTestId("access-group-read")).ToHaveCountAsync(count);

        // The admin: one item for the whole session, decided once.
        var desk = await NewPageAsync(Admin);
        var queue = new BreakGlassQueuePage(desk);
        await queue.GotoAsync();
        var session = queue.Case(reason);
        await Expect(session).ToHaveCountAsync(1);
        await Expect(session.GetByTestId("break-glass-when")).ToHaveAttributeAsync("data-reads", reads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await queue.StartReview(session).ClickAsync();
        await queue.Note(session).FillAsync("No emergency: the patient was awake and could have been asked.");
        await session.GetByTestId("break-glass-not-justified").ClickAsync();
        await Expect(queue.Decision(session)).ToHaveTextAsync("Not justified");
        await Expect(session.GetByTestId("break-glass-start-review")).ToHaveCountAsync(0);

        // The patient is told the outcome.
        await home.GotoAsync();
        var outcome = home.BreakGlassAlertItems.Filter(new() { HasText = reason }).GetByTestId("break-glass-alert-outcome");
        await Expect(outcome).ToHaveAttributeAsync("data-decision", "NotJustified");
        await Expect(outcome).ToContainTextAsync("No emergency: the patient was awake");
    }
}
