using System.Globalization;
using System.Text.RegularExpressions;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Admin;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Access;

/// <summary>
/// Flows 4 and 5 across the patient's, the staff member's and the admin's browsers: a grant opens another facility's
/// records through the interop read path (access-logged, shown to the patient) and its revocation closes them at the
/// next view; a staff request becomes a grant when the patient signs it; emergency access without a grant is
/// time-limited, loud for the patient and reviewed by an admin. The tests use different patient/facility pairs, so
/// the grants of one do not open records for another.
/// </summary>
public sealed class SharedAccessTests(AccessHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest<AccessHost>(host, chromium, output)
{
    private const string Riverside = "Riverside General Hospital";
    private const string Lakeview = "Lakeview Family Clinic";
    private const string Northgate = "Northgate Diagnostics Laboratory";

    private PortalRole StaffOf(string facilityId) =>
        new($"{facilityId} staff", DemoData.AccountFor(Roles.FacilityStaff, facilityId).Email, DemoPassword);

    private PortalRole PatientRole(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    private PortalRole Admin => new("admin", DemoData.AccountFor(Roles.Admin).Email, DemoPassword);

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    /// <summary>The patient's browser, holding a key linked with the demo enrolment device, so it can sign grants.</summary>
    private async Task<IPage> PatientWithKeyAsync(DemoData.Patient demo)
    {
        var phone = await NewPageAsync(PatientRole(demo));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();
        return phone;
    }

    [Fact]
    public async Task LabWithEncounterGrant_SeesHospitalEncounterOnly_PatientSeesTheAccess_RevokedGrantRefusesTheNextView()
    {
        var demo = DemoData.Patients[0];
        var mpi = await MpiOfAsync(demo);

        // The patient shares encounters with the laboratory.
        var phone = await PatientWithKeyAsync(demo);
        var sharing = new SharingPage(phone);
        await sharing.GotoAsync();
        await sharing.Facility("demo-northgate").CheckAsync();
        await sharing.Kind("encounter").CheckAsync();
        await sharing.Purpose("treatment").CheckAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync($"{Northgate} may see your encounters");
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToBeVisibleAsync();
        var grantId = (await sharing.RowsIn("active").GetAttributeAsync("data-grant-id"))!;

        // Lab staff find the patient by MPI: the hospital's encounter is there and verified against the ledger; the
        // diagnoses, prescriptions and note of that admission are not.
        var lab = await NewPageAsync(StaffOf("demo-northgate"));
        var dashboard = new FacilityDashboardPage(lab);
        await dashboard.GotoAsync();
        await dashboard.Mpi.FillAsync(mpi);
        await dashboard.OpenPatient.ClickAsync();
        await lab.WaitForPathAsync("/facility/patients/" + mpi);
        var patientPage = new FacilityPatientPage(lab, mpi);
        await Expect(patientPage.Name).ToHaveTextAsync(HealthPortal.Features.FacilityPortal.FoundPatient.InitialsOf(demo.FullName));
        var shared = patientPage.SharedRecords;
        var encounter = shared.Rows("Encounter", Riverside);
        await Expect(encounter).ToHaveCountAsync(1);
        await Expect(shared.Integrity(encounter)).ToHaveTextAsync("Verified");
        Assert.All(await shared.Kinds.AllInnerTextsAsync(), kind => Assert.Equal("Encounter", kind));

        await shared.View(encounter).ClickAsync();
        await Expect(shared.Detail).ToContainTextAsync($"Encounter from {Riverside}");

        // Both reads were logged on the ledger, relying on the grant, before anything was shown.
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        var labNode = ledger.State.Grant(grantId)!.Facility;
        var labReads = ledger.Store.AccessesOf(mpi).Where(a => a.Facility == labNode).ToList();
        Assert.Equal(2, labReads.Count);
        Assert.All(labReads, read => Assert.Equal(grantId, read.Grant));

        // The patient sees the laboratory's read, relying on their grant, not as an emergency.
        var history = new AccessHistoryPage(phone);
        await history.GotoAsync();
        var labAccess = history.RowsOf(Northgate);
        await Expect(labAccess.First).ToBeVisibleAsync();
        await Expect(labAccess.First.GetByTestId("access-grant")).ToContainTextAsync("Encounters for");
        await Expect(labAccess.First.GetByTestId("access-record").First).ToContainTextAsync(Riverside);
        await Expect(history.Highlighted).ToHaveCountAsync(0);

        // The patient revokes the grant.
        await sharing.GotoAsync();
        await sharing.Row(grantId).GetByTestId("grant-revoke").ClickAsync();
        await sharing.RevokeConfirm.ClickAsync();
        await Expect(sharing.Row(grantId)).ToHaveAttributeAsync("data-status", "revoked");

        // The lab page, never reloaded, asks again: refused, and nothing of the record stays on screen.
        await shared.View(encounter).ClickAsync();
        await Expect(shared.Denied).ToContainTextAsync("You may no longer see this record");
        await Expect(shared.Detail).ToHaveCountAsync(0);
        await Expect(shared.Table).ToHaveCountAsync(0);
        await Expect(shared.NoGrant).ToBeVisibleAsync();
        var revokedAt = ledger.State.Grant(grantId)!.RevokedHeight!.Value;
        Assert.All(ledger.Store.AccessesOf(mpi).Where(a => a.Facility == labNode), read => Assert.True(read.Height < revokedAt));
    }

    [Fact]
    public async Task StaffRequestAccess_PatientApprovesAndSigns_StaffSeeTheRecords()
    {
        var demo = DemoData.Patients[1];
        var mpi = await MpiOfAsync(demo);

        // Lakeview has no grant: it asks for lab results for treatment, for 7 days.
        var clinic = await NewPageAsync(StaffOf("demo-lakeview"));
        var patientPage = new FacilityPatientPage(clinic, mpi);
        await patientPage.GotoAsync();
        await Expect(patientPage.SharedRecords.NoGrant).ToBeVisibleAsync();
        var request = patientPage.RequestAccess;
        await request.Kind("lab-result").CheckAsync();
        await request.Purpose("treatment").CheckAsync();
        await request.Days.FillAsync("7");
        await request.Message.FillAsync("For your follow-up visit");
        await request.Send.ClickAsync();
        await Expect(request.Rows).ToHaveCountAsync(1);
        await Expect(request.Status(request.Rows)).ToHaveTextAsync("Waiting for the patient");

        // The patient reviews the prefilled grant and signs it.
        var phone = await PatientWithKeyAsync(demo);
        var sharing = new SharingPage(phone);
        await sharing.GotoAsync();
        await Expect(sharing.PendingRequests).ToHaveCountAsync(1);
        await Expect(sharing.PendingRequests).ToContainTextAsync($"{Lakeview} asks to see your lab results");
        await Expect(sharing.PendingRequests.GetByTestId("request-message")).ToContainTextAsync("For your follow-up visit");
        await sharing.Approve(sharing.PendingRequests).ClickAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync($"{Lakeview} may see your lab results for treatment");
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToBeVisibleAsync();
        var height = await sharing.Height.InnerTextAsync();
        await Expect(sharing.PendingRequests).ToHaveCountAsync(0);

        // The staff page follows the approval live and offers to list again (listing is an access, so staff decide);
        // then it shows the laboratory's results, verified.
        await Expect(request.Status(request.Rows)).ToHaveTextAsync($"Approved: grant in block {height}");
        var shared = patientPage.SharedRecords;
        await Expect(shared.AccessChanged).ToBeVisibleAsync();
        // Banners never contradict: with the fresh grant, "has not given your facility access" is gone from beside the news.
        await Expect(shared.NoGrant).ToHaveCountAsync(0);
        await Expect(patientPage.Page.GetByText("has not given your facility access")).ToHaveCountAsync(0);
        await shared.Reload.ClickAsync();
        var results = shared.Rows("Lab result", Northgate);
        await Expect(results.First).ToBeVisibleAsync();
        Assert.All(await shared.Kinds.AllInnerTextsAsync(), kind => Assert.Equal("Lab result", kind));
        await Expect(shared.Integrity(results.First)).ToHaveTextAsync("Verified");
        await shared.View(results.First).ClickAsync();
        await Expect(shared.Detail).ToContainTextAsync($"Lab result from {Northgate}");
    }

    [Fact]
    public async Task BreakGlass_StaffGiveReasonAndSeeRecordsUntilExpiry_PatientAlerted_AdminMarksJustified()
    {
        var demo = DemoData.Patients[1];
        var mpi = await MpiOfAsync(demo);
        var reason = $"Unconscious on arrival at the emergency department, checking allergies ({Guid.NewGuid():N})"[..90];

        // Riverside has no grant from this patient: emergency access with a reason.
        var ward = await NewPageAsync(StaffOf("demo-riverside"));
        var patientPage = new FacilityPatientPage(ward, mpi);
        await patientPage.GotoAsync();
        var shared = patientPage.SharedRecords;
        await Expect(shared.NoGrant).ToBeVisibleAsync();
        var opened = DateTimeOffset.UtcNow;
        await shared.OpenEmergencyAccessAsync(reason);

        await Expect(shared.EmergencySession).ToBeVisibleAsync();
        var expiryText = await shared.EmergencyExpiry.InnerTextAsync();
        // Shown day first on the facility's clock (Riverside keeps the default, Asia/Yangon, UTC+06:30).
        Assert.Matches(new Regex(@"^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2}$"), expiryText);
        var expiry = new DateTimeOffset(DateTime.ParseExact(expiryText, "d MMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB")), TimeSpan.FromMinutes(390));
        Assert.InRange(expiry, opened.AddMinutes(58), opened.AddMinutes(61)); // the default 60-minute session
        await Expect(shared.Rows("Lab result", Northgate).First).ToBeVisibleAsync();
        await Expect(shared.Rows("Encounter", Lakeview).First).ToBeVisibleAsync();
        await Expect(shared.Rows("Encounter", Lakeview).First.GetByText("Emergency", new() { Exact = true })).ToBeVisibleAsync();

        // The patient: a red alert on the dashboard and a highlighted row in "Who accessed my records".
        var phone = await NewPageAsync(PatientRole(demo));
        var home = new PatientDashboardPage(phone);
        await home.GotoAsync();
        await Expect(home.BreakGlassAlert).ToBeVisibleAsync();
        await Expect(home.BreakGlassAlertItems.Filter(new() { HasText = reason })).ToContainTextAsync(Riverside);
        var history = new AccessHistoryPage(phone);
        await history.GotoAsync();
        var emergency = history.Highlighted.Filter(new() { HasText = reason });
        await Expect(emergency).ToHaveCountAsync(1);
        await Expect(emergency.GetByTestId("access-facility")).ToHaveTextAsync(Riverside);
        await Expect(emergency.GetByTestId("access-break-glass")).ToBeVisibleAsync();

        // The admin marks it justified, with a note.
        var desk = await NewPageAsync(Admin);
        var queue = new BreakGlassQueuePage(desk);
        await queue.GotoAsync();
        var item = queue.Case(reason);
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item.GetByTestId("break-glass-staff")).ToContainTextAsync(DemoData.AccountFor(Roles.FacilityStaff, "demo-riverside").DisplayName);
        await queue.StartReview(item).ClickAsync();
        await queue.Note(item).FillAsync("Confirmed with the ED log: patient unconscious, no next of kin reachable.");
        await queue.Justified(item).ClickAsync();
        await Expect(queue.Decision(item)).ToHaveTextAsync("Justified");
        await Expect(queue.Review(item)).ToContainTextAsync("Confirmed with the ED log");
        await queue.GotoAsync();
        await Expect(queue.Decision(queue.Case(reason))).ToHaveTextAsync("Justified");
    }
}
