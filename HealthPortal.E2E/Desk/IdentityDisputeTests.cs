using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Retractions;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Desk;

/// <summary>
/// Issue 13's journey in Chromium: Lakeview's steward checks a walk-in and links the facility's MRN to the candidate
/// (Min Thant Zaw, day and month swapped); a visit is saved under Min's number and co-signed; Min finds it on "My
/// identity" and says "this is not me"; the steward retracts it; Min's timeline shows the retraction; the desk re-files
/// the visit under the right patient (Aye Aye Myint), who co-signs it.
/// </summary>
public sealed class IdentityDisputeTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";

    private PortalRole As(string role) => new(role, DemoData.AccountFor(role, Lakeview).Email, DemoPassword);

    private PortalRole PatientRole(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    [Fact]
    public async Task WalkInLinked_PatientDisputesTheRecord_StewardRetractsIt_RefiledUnderTheRightPatientWhoCoSigns()
    {
        var min = DemoData.Patients.Single(p => p.FullName == "Min Thant Zaw");
        var aye = DemoData.Patients.Single(p => p.FullName == "Aye Aye Myint");
        var minMpi = await MpiOfAsync(min);
        var ayeMpi = await MpiOfAsync(aye);
        var complaint = "Cough " + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        // The steward checks a walk-in: the candidate with the swapped date is Min's registration; linked.
        var steward = await NewPageAsync(As(Roles.FacilityManager));
        await steward.GotoAsync("facility/walk-in");
        await steward.WaitForInteractiveAsync();
        await steward.Locator("input[data-testid='walk-in-name']").FillAsync("Maung Min Thant Zaw");
        await steward.Locator("input[data-testid='walk-in-birth-date']").FillAsync("11/03/1975");
        await steward.Locator("input[data-testid='walk-in-phone']").FillAsync("09 400 000 002");
        await steward.Locator("input[data-testid='walk-in-mrn']").FillAsync("C-2026-0777");
        await steward.GetByTestId("walk-in-check").ClickAsync();
        var candidate = steward.GetByTestId("walk-in-candidate").Filter(new() { Has = steward.GetByTestId("field-partial").Filter(new() { HasText = "swapped day/month" }) });
        await Expect(candidate).ToHaveCountAsync(1);
        await candidate.GetByTestId("walk-in-same").ClickAsync();
        await Expect(steward.GetByTestId("walk-in-linked-mrn")).ToHaveTextAsync("C-2026-0777");

        // Both patients' phones hold a key, to co-sign.
        var minPhone = await PhoneWithKeyAsync(min);
        var ayePhone = await PhoneWithKeyAsync(aye);

        // The desk saves a visit under Min's number; Min co-signs it.
        var desk = new FacilityPatientPage(await NewPageAsync(As(Roles.FacilityStaff)), minMpi);
        await desk.GotoAsync();
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        await desk.Visit.TypeDateAsync(DateTime.UtcNow.Date);
        await desk.Visit.Clinician.FillAsync("Dr. Thida");
        await desk.Visit.Complaint.FillAsync(complaint);
        await desk.Visit.Findings.FillAsync("Chest clear.");
        await desk.Visit.Save.ClickAsync();
        await Expect(desk.Visit.Saved).ToBeVisibleAsync();
        var firstId = await desk.ConfirmationIdAsync();
        await minPhone.GotoAsync((await desk.ConfirmLink.GetAttributeAsync("href"))!);
        var confirm = new ConfirmRecordsPage(minPhone, firstId);
        await confirm.WaitForInteractiveAsync();
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine.Reader;
        var encounter = ledger.RecordsOf(minMpi).Where(r => r.Category == "encounter").OrderByDescending(r => r.Height).First();

        // Min's identity page: Lakeview holds the walk-in MRN and the visit. "This is not me" on the record.
        await minPhone.GotoAsync("patient/identity");
        await minPhone.WaitForInteractiveAsync();
        var lakeview = minPhone.GetByTestId("identity-facility").Filter(new() { HasText = "Lakeview" });
        await Expect(lakeview.GetByTestId("identity-mrn").Filter(new() { HasText = "C-2026-0777" })).ToHaveCountAsync(1);
        var row = lakeview.Locator($"[data-testid='identity-record'][data-record-id='{encounter.RecordId}']");
        await row.GetByTestId("not-me-record").ClickAsync();
        await minPhone.Locator("textarea[data-testid='not-me-words']").FillAsync("I was at home in Mandalay that day; this cough is not mine.");
        await minPhone.GetByTestId("not-me-send").ClickAsync();
        await Expect(minPhone.GetByTestId("identity-message")).ToContainTextAsync("Sent to Lakeview");
        await Expect(minPhone.GetByTestId("identity-dispute")).ToHaveAttributeAsync("data-status", "Open");

        // The steward reads it in the queue and retracts the record.
        await steward.GotoAsync("facility/mpi-review");
        await steward.WaitForInteractiveAsync();
        var dispute = steward.GetByTestId("dispute-item").Filter(new() { HasText = "this cough is not mine" });
        await Expect(dispute).ToHaveCountAsync(1);
        await dispute.Locator("textarea[data-testid='dispute-reason']").FillAsync("The desk filed another patient's visit under your number; withdrawn.");
        await dispute.GetByTestId("dispute-retract").ClickAsync();
        await Expect(steward.GetByTestId("dispute-message")).ToContainTextAsync("record retracted");
        Assert.Equal(RetractReasons.WrongPatient, ledger.Retraction(encounter.Facility, encounter.RecordId)!.Reason);

        // Min sees the outcome, and the timeline shows the retraction in the record's place.
        await minPhone.GotoAsync("patient/identity");
        await Expect(minPhone.GetByTestId("identity-dispute")).ToHaveAttributeAsync("data-status", "Retracted");
        await Expect(minPhone.GetByTestId("dispute-answer")).ToContainTextAsync("withdrawn");
        var timeline = new RecordsTimelinePage(minPhone);
        await timeline.GotoAsync();
        var retracted = minPhone.Locator($"[data-testid='timeline-retracted'][data-txid='{encounter.TxId}']");
        await Expect(retracted).ToContainTextAsync("Retracted by Lakeview Family Clinic on");
        await Expect(retracted).ToContainTextAsync("filed under the wrong patient");
        await Expect(minPhone.Locator($"[data-testid='timeline-row'][data-txid='{encounter.TxId}']")).ToHaveCountAsync(0);

        // The desk re-files it under the right patient; Aye co-signs it and it is on her timeline.
        await desk.GotoAsync();
        var panelRow = desk.Page.Locator($"[data-testid='retractable-record'][data-record-id='{encounter.RecordId}']");
        await Expect(panelRow).ToHaveAttributeAsync("data-retracted", "true");
        await panelRow.GetByTestId("refile-start").ClickAsync();
        await desk.Page.Locator("input[data-testid='refile-mpi']").FillAsync(ayeMpi);
        await desk.Page.GetByTestId("refile-confirm").ClickAsync();
        await Expect(desk.Page.GetByTestId("retraction-message")).ToContainTextAsync("sent to that patient to confirm");
        var refiledId = await RefiledConfirmationAsync(encounter.RecordId);
        await ayePhone.GotoAsync($"patient/confirm/{refiledId}");
        var ayeConfirm = new ConfirmRecordsPage(ayePhone, refiledId);
        await ayeConfirm.WaitForInteractiveAsync();
        await ayeConfirm.ReadEverythingAsync();
        await ayeConfirm.ConfirmAndSign.ClickAsync();
        await Expect(ayeConfirm.Anchored).ToBeVisibleAsync();
        var ayeTimeline = new RecordsTimelinePage(ayePhone);
        await ayeTimeline.GotoAsync();
        await Expect(ayeTimeline.Rows.Filter(new() { HasText = complaint })).ToHaveCountAsync(1);
    }

    private async Task<Microsoft.Playwright.IPage> PhoneWithKeyAsync(DemoData.Patient demo)
    {
        var phone = await NewPageAsync(PatientRole(demo));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();
        return phone;
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    private async Task<string> RefiledConfirmationAsync(string recordId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await db.Set<RecordRetraction>().Where(r => r.RecordId == recordId).Select(r => r.RefiledConfirmationId!).SingleAsync();
    }
}
