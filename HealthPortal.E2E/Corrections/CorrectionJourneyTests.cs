using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Corrections;

/// <summary>
/// A mistake corrected through the real screens (issue 16): staff save a clinic visit with a wrong temperature, the
/// patient rejects it, staff write a correction from the rejected record (the form opens with the old visit), the
/// patient sees what changed and co-signs, and the timeline shows the corrected record once, with its history.
/// </summary>
public sealed class CorrectionJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";

    private PortalRole Staff => new("lakeview staff", DemoData.AccountFor(Roles.FacilityStaff, Lakeview).Email, DemoPassword);

    private PortalRole PatientRole(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    [Fact]
    public async Task Clinic_RejectedVisitCorrected_PatientCoSignsTheCorrection_TimelineShowsItOnceWithHistory()
    {
        var demo = DemoData.Patients[0];
        var complaint = "Headache " + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        const string reason = "Temperature typed wrongly: it was 37.5 °C";

        // The patient's phone holds a key (to co-sign the correction later).
        var phone = await NewPageAsync(PatientRole(demo));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();

        // Staff save a visit with a slipped digit in the temperature.
        var desk = new FacilityPatientPage(await NewPageAsync(Staff), await MpiOfAsync(demo));
        await desk.GotoAsync();
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        var visit = desk.Visit;
        await visit.TypeDateAsync(DateTime.UtcNow.Date);
        await visit.Clinician.FillAsync("Dr. Thida");
        await visit.Complaint.FillAsync(complaint);
        await visit.Findings.FillAsync("Mild tension headache.");
        await visit.Temperature.FillAsync("39.5");
        await visit.Save.ClickAsync();
        await Expect(visit.Saved).ToBeVisibleAsync();
        var firstId = await desk.ConfirmationIdAsync();
        var first = await ConfirmationAsync(firstId);
        var oldEncounter = first.Records.Single(r => r.Kind == RecordKinds.Encounter).RecordId;

        // The patient rejects it.
        await phone.GotoAsync((await desk.ConfirmLink.GetAttributeAsync("href"))!);
        var rejecting = new ConfirmRecordsPage(phone, firstId);
        await rejecting.WaitForInteractiveAsync();
        await rejecting.OpenReject.ClickAsync();
        await rejecting.Reason.FillAsync("My temperature was 37.5, not 39.5");
        await rejecting.Reject.ClickAsync();
        await Expect(rejecting.Rejected).ToBeVisibleAsync();
        await Expect(desk.StaffRejectedReason).ToContainTextAsync("37.5");

        // Staff correct the rejected record: the form opens with the old visit, they fix the temperature and say why.
        var correct = desk.Record(oldEncounter).GetByTestId("write-correction");
        await Expect(correct).ToBeVisibleAsync();
        await correct.ClickAsync();
        await Expect(desk.Page.GetByTestId("correction-banner")).ToBeVisibleAsync();
        await Expect(visit.Complaint).ToHaveValueAsync(complaint);
        await Expect(visit.Temperature).ToHaveValueAsync("39.5");
        await visit.Temperature.FillAsync("37.5");
        var reasonField = desk.Page.Locator("textarea[data-testid='correction-reason'], [data-testid='correction-reason'] textarea");
        // Without a reason nothing is saved.
        await visit.Save.ClickAsync();
        await Expect(visit.Problem).ToBeVisibleAsync();
        await Expect(desk.ConfirmationPanel).ToHaveAttributeAsync("data-confirmation-id", firstId);
        await reasonField.FillAsync(reason);
        await visit.Save.ClickAsync();
        await Expect(desk.ConfirmationPanel).Not.ToHaveAttributeAsync("data-confirmation-id", firstId);
        var secondId = await desk.ConfirmationIdAsync();
        var second = await ConfirmationAsync(secondId);
        var newEncounter = second.Records.Single(r => r.Kind == RecordKinds.Encounter).RecordId;
        await Expect(desk.Record(oldEncounter).GetByTestId("record-replaced")).ToHaveAttributeAsync("data-replaced-by", newEncounter);

        // The patient's review says it replaces an earlier version, why, and what changed; they co-sign.
        await phone.GotoAsync((await desk.ConfirmLink.GetAttributeAsync("href"))!);
        var confirm = new ConfirmRecordsPage(phone, secondId);
        await confirm.WaitForInteractiveAsync();
        var reviewed = confirm.Record(newEncounter);
        await Expect(reviewed.GetByTestId("review-replaces")).ToHaveAttributeAsync("data-replaces", oldEncounter);
        await Expect(reviewed.GetByTestId("review-correction-reason")).ToContainTextAsync(reason);
        var change = reviewed.GetByTestId("review-change").Filter(new() { HasText = "39.5" });
        await Expect(change.GetByTestId("review-change-old")).ToHaveTextAsync("39.5");
        await Expect(change.GetByTestId("review-change-new")).ToHaveTextAsync("37.5");
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();

        // The timeline shows the corrected record once, marked; its page shows both versions.
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        var anchor = ledger.Reader.Record(second.FacilityNodeId, newEncounter)!;
        Assert.Null(ledger.Reader.Record(second.FacilityNodeId, oldEncounter));
        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Row(anchor.TxId).GetByTestId("record-corrected")).ToHaveTextAsync("Corrected (2 versions)");
        await Expect(timeline.Rows.Filter(new() { HasText = complaint })).ToHaveCountAsync(1);

        var detail = new RecordDetailPage(phone, anchor.TxId);
        await detail.GotoAsync();
        await Expect(detail.Integrity).ToHaveTextAsync("Verified");
        var versions = phone.GetByTestId("record-version");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.Nth(0)).ToHaveAttributeAsync("data-record-id", oldEncounter);
        await Expect(versions.Nth(0)).ToHaveAttributeAsync("data-status", "Rejected");
        await Expect(versions.Nth(1)).ToHaveAttributeAsync("data-status", "Anchored");
        await Expect(versions.Nth(1).GetByTestId("version-reason")).ToContainTextAsync(reason);
        await Expect(versions.Nth(1).GetByTestId("version-anchor")).ToContainTextAsync(anchor.TxId);
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    /// <summary>The confirmation as the facility's staff see it (records, status, the facility's ledger node).</summary>
    private async Task<AnchorConfirmationView> ConfirmationAsync(string confirmationId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(Staff.Email);
        ClaimsPrincipal staff = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user!);
        ((ClaimsIdentity)staff.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
        return (await services.GetRequiredService<AnchorWorkflow>().ForFacilityAsync(staff, confirmationId))!;
    }
}
