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
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.E2E.Anchoring;

/// <summary>
/// Flow 3 in two real browsers: staff find the patient by MPI number and see the save waiting; the patient confirms
/// it with their browser key (or rejects it) on their own device; both screens follow the outcome live.
/// The save is made through the same service call the entry form's OnSaved triggers (AnchorWorkflow.PrepareAsync as
/// the staff member), so these tests are about the confirmation alone; the journey through the real entry forms is
/// <see cref="HealthPortal.E2E.Records.RecordJourneyTests"/>.
/// </summary>
public sealed class AnchorConfirmTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";

    private PortalRole Staff => new("lakeview staff", DemoData.AccountFor(Roles.FacilityStaff, Lakeview).Email, DemoPassword);

    private PortalRole PatientRole(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    /// <summary>What saving the entry form does: the store's records go to the workflow as the signed-in staff member.</summary>
    private async Task<AnchorConfirmationView> SaveVisitAsync(string mpi, string summary)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(Staff.Email);
        ClaimsPrincipal staff = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user!);
        // A staff session is a two-factor one (the facility portal policy asks for amr=mfa, as SignInManager sets it).
        ((ClaimsIdentity)staff.Identity!).AddClaim(new System.Security.Claims.Claim(HealthPortal.Features.Auth.SecondFactor.AmrClaim, HealthPortal.Features.Auth.SecondFactor.Mfa));
        var recordId = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var fhir = new Encounter
        {
            Id = recordId,
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"),
            Subject = new ResourceReference("Patient/" + mpi),
        };
        var record = new EhrRecord(Lakeview, recordId, mpi, RecordKinds.Encounter, DateOnly.FromDateTime(DateTime.UtcNow), summary, fhir);
        var prepared = await services.GetRequiredService<AnchorWorkflow>().PrepareAsync(staff, Lakeview, mpi, [record]);
        Assert.True(prepared.Succeeded, prepared.Error);
        return prepared.Confirmation!;
    }

    [Fact]
    public async Task Staff_FindPatientByMpi_PatientConfirmsInTheirBrowser_BothSeeTheBlock()
    {
        var demo = DemoData.Patients[0];
        var mpi = await MpiOfAsync(demo);

        // The patient's browser gets a key (demo mode: co-signed by the demo enrolment device).
        var phone = await NewPageAsync(PatientRole(demo));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();

        var saved = await SaveVisitAsync(mpi, "Clinic visit — cough and fever");
        var recordId = saved.Records.Single().RecordId;

        // Staff find the patient: a typo in the number is caught as typed; the right number opens the patient.
        var desk = await NewPageAsync(Staff);
        var dashboard = new FacilityDashboardPage(desk);
        await dashboard.GotoAsync();
        await Expect(dashboard.Waiting(saved.Id)).ToBeVisibleAsync();
        // Headless Chromium on Linux has no BarcodeDetector of its own: the vendored polyfill makes scanning available.
        await Expect(dashboard.ScanCard).ToBeVisibleAsync();
        await Expect(dashboard.ScanUnavailable).ToBeHiddenAsync();
        await dashboard.Mpi.FillAsync(mpi[..^1] + (char)('0' + (mpi[^1] - '0' + 1) % 10));
        await Expect(dashboard.MpiTypo).ToBeVisibleAsync();
        await Expect(dashboard.OpenPatient).ToBeDisabledAsync();
        await dashboard.Mpi.FillAsync(mpi);
        await dashboard.OpenPatient.ClickAsync();
        await desk.WaitForPathAsync("/facility/patients/" + mpi);
        var patientPage = new FacilityPatientPage(desk, mpi);
        // The desk sees initials and birth year to check the card against the person, never the full name or birth date.
        await Expect(patientPage.Name).ToHaveTextAsync(HealthPortal.Features.FacilityPortal.FoundPatient.InitialsOf(demo.FullName));
        await Expect(patientPage.BirthYear).ToHaveTextAsync(demo.BirthDate.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(desk.Locator("body")).Not.ToContainTextAsync(demo.FullName);
        await Expect(patientPage.Mpi).ToHaveTextAsync(mpi);
        await Expect(patientPage.Panels).ToBeAttachedAsync();
        await Expect(patientPage.StatusOf(recordId)).ToHaveAttributeAsync("data-status", "Pending");

        // The patient sees it waiting, reviews exactly what is signed and co-signs.
        var home = new PatientDashboardPage(phone);
        await home.GotoAsync();
        await Expect(home.WaitingCount).ToHaveTextAsync("1");
        await home.WaitingItems.First.ClickAsync();
        await phone.WaitForPathAsync("/patient/confirm/" + saved.Id);
        var confirm = new ConfirmRecordsPage(phone, saved.Id);
        await confirm.WaitForInteractiveAsync();
        await Expect(confirm.Facility).ToHaveTextAsync("Lakeview Family Clinic");
        await Expect(confirm.Summaries).ToHaveTextAsync("Clinic visit — cough and fever");
        await confirm.CanonicalPanel.ClickAsync();
        await Expect(confirm.Canonical).ToContainTextAsync($"\"mpi\":\"{mpi}\"");
        await Expect(confirm.Canonical).ToContainTextAsync("\"type\":\"record.anchor\"");
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();
        var height = long.Parse(await confirm.Block.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

        // The ledger holds it, signed by both; the staff page followed the block without a reload.
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        var entry = ledger.Store.FindRecord(saved.FacilityNodeId, recordId)!;
        Assert.Equal(height, entry.Height);
        Assert.Equal(2, ledger.GetReceipt(entry.TxId)!.Transaction.Signatures.Count);
        await Expect(patientPage.StatusOf(recordId)).ToHaveAttributeAsync("data-status", "Anchored");
        await Expect(patientPage.StatusOf(recordId)).ToContainTextAsync($"block {height}");
    }

    [Fact]
    public async Task Patient_RejectsWithReason_StaffDashboardShowsTheReasonLive()
    {
        var demo = DemoData.Patients[1];
        var mpi = await MpiOfAsync(demo);
        var saved = await SaveVisitAsync(mpi, "Follow-up visit");
        var desk = await NewPageAsync(Staff);
        var dashboard = new FacilityDashboardPage(desk);
        await dashboard.GotoAsync();
        await Expect(dashboard.Waiting(saved.Id)).ToBeVisibleAsync();

        // The link from the staff QR code, opened on the patient's phone (which holds no key: rejecting needs none).
        var phone = await NewPageAsync(PatientRole(demo));
        var confirm = new ConfirmRecordsPage(phone, saved.Id);
        await confirm.GotoAsync();
        await Expect(confirm.NoKey).ToBeVisibleAsync();
        await confirm.OpenReject.ClickAsync();
        await Expect(confirm.Reject).ToBeDisabledAsync();
        await confirm.Reason.FillAsync("I was not at Lakeview that day");
        await confirm.Reject.ClickAsync();
        await Expect(confirm.Rejected).ToContainTextAsync("I was not at Lakeview that day");

        await Expect(dashboard.Rejected(saved.Id)).ToContainTextAsync("I was not at Lakeview that day");
        await Expect(dashboard.Waiting(saved.Id)).ToHaveCountAsync(0);
    }
}
