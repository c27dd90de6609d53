using System.Security.Claims;
using System.Text.RegularExpressions;
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
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Operator;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Records;

/// <summary>
/// A record's whole life through the real screens: staff enter it in their facility's own form, the patient opens the
/// link shown with the QR code on their phone (a second browser) and co-signs or rejects it, both screens follow the
/// outcome live, and the patient's timeline shows it with the verdict of a fresh check against the ledger, including
/// when the facility's database is edited behind the portal's back.
/// </summary>
public sealed class RecordJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Riverside = "demo-riverside";
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";
    private const string Hemoglobin = "718-7";
    private const string Potassium = "2823-3";

    private PortalRole StaffOf(string facilityId) => new(facilityId + " staff", DemoData.AccountFor(Roles.FacilityStaff, facilityId).Email, DemoPassword);

    private PortalRole PatientRole(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    private static string Unique() => Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

    [Fact]
    public async Task Hospital_AdmissionWithDiagnosis_PatientConfirmsFromQrLink_BothSeeBlock_TimelineVerified()
    {
        var demo = DemoData.Patients[0];
        var ward = "Ward 4B-" + Unique();
        var phone = await PhoneWithKeyAsync(demo);
        var desk = await StaffPatientPageAsync(Riverside, demo);

        await AdmitAsync(desk, ward, "J18.9", "Community-acquired pneumonia");
        await Expect(desk.Admission.Saved).ToHaveTextAsync("Admission saved: 2 records written.");
        await Expect(desk.ConfirmQr).ToHaveAttributeAsync("src", new Regex("^data:image/png;base64,"));
        var confirmationId = await desk.ConfirmationIdAsync();

        var height = await ConfirmFromStaffLinkAsync(desk, phone, confirmationId, expectSummary: "J18.9 Community-acquired pneumonia");

        // The staff page followed the block without a reload, for the panel and for each record row.
        await Expect(desk.StaffAnchoredBlock).ToHaveTextAsync(height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var anchored = await AnchoredAsync(Riverside, confirmationId);
        Assert.Equal(2, anchored.Count);
        foreach (var (recordId, _, blockHeight) in anchored)
        {
            Assert.Equal(height, blockHeight);
            await Expect(desk.StatusOf(recordId)).ToHaveAttributeAsync("data-status", "Anchored");
            await Expect(desk.StatusOf(recordId)).ToContainTextAsync($"block {height}");
        }

        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        foreach (var (_, txId, _) in anchored)
        {
            await Expect(timeline.Row(txId)).ToHaveAttributeAsync("data-integrity", "Verified");
            await Expect(timeline.Row(txId).GetByTestId("integrity-chip")).ToHaveTextAsync("Verified");
            await Expect(timeline.Row(txId).GetByTestId("record-facility")).ToHaveTextAsync("Riverside General Hospital");
        }
        await Expect(timeline.Rows.Filter(new() { HasText = ward })).ToHaveCountAsync(1);
        await Expect(timeline.Rows.Filter(new() { HasText = "J18.9 Community-acquired pneumonia" })).ToHaveCountAsync(1);
        await Expect(timeline.AlteredWarning).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Laboratory_OrderThenDecimalResults_PatientConfirms_VerifiedWithAbnormalFlagInDetail()
    {
        var demo = DemoData.Patients[1];
        var clinician = "Dr. Nilar " + Unique();
        var phone = await PhoneWithKeyAsync(demo);
        var desk = await StaffPatientPageAsync(Northgate, demo);
        var lab = desk.Laboratory;

        // The order writes no record yet (nothing to confirm); it waits for its results.
        await lab.Clinician.FillAsync(clinician);
        await lab.TypeCollectedDateAsync(DateTime.UtcNow.Date);
        await lab.Test(Hemoglobin).CheckAsync();
        await lab.Test(Potassium).CheckAsync();
        await lab.CreateOrder.ClickAsync();
        await Expect(lab.Saved).ToHaveTextAsync("Order created: enter its results below when they are ready.");
        await Expect(desk.ConfirmationPanel).ToHaveCountAsync(0);

        // Results with decimals; the flag follows the typed value before anything is saved.
        var order = lab.OrderedBy(clinician);
        await Expect(order.Unit(Hemoglobin)).ToHaveTextAsync("g/dL");
        await order.Value(Hemoglobin).FillAsync("10.4");
        await Expect(order.Flag(Hemoglobin)).ToHaveTextAsync("L");
        await order.Value(Potassium).FillAsync("4.2");
        await Expect(order.Flag(Potassium)).ToHaveTextAsync("N");
        await order.Report.ClickAsync();
        await Expect(lab.Saved).ToHaveTextAsync("Results reported.");
        await Expect(order.Paper).ToHaveCountAsync(0);
        var confirmationId = await desk.ConfirmationIdAsync();

        var height = await ConfirmFromStaffLinkAsync(desk, phone, confirmationId, expectSummary: null);
        await Expect(desk.StaffAnchoredBlock).ToHaveTextAsync(height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (recordId, txId, _) = Assert.Single(await AnchoredAsync(Northgate, confirmationId));
        await Expect(desk.StatusOf(recordId)).ToHaveAttributeAsync("data-status", "Anchored");

        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Row(txId)).ToHaveAttributeAsync("data-integrity", "Verified");
        await Expect(timeline.Row(txId).GetByTestId("record-facility")).ToHaveTextAsync("Northgate Diagnostics Laboratory");

        await timeline.OpenAsync(txId);
        await phone.WaitForPathAsync("/patient/records/" + txId);
        var detail = new RecordDetailPage(phone, txId);
        await detail.WaitForInteractiveAsync();
        // The click navigates inside the circuit: the timeline stays on screen until the detail has rendered.
        await Expect(detail.AnchorTxId).ToHaveTextAsync(txId);
        await Expect(detail.Integrity).ToHaveTextAsync("Verified");
        await Expect(detail.AnchorHeight).ToContainTextAsync(height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var results = detail.Record.GetByTestId("report-result");
        var hemoglobin = results.Filter(new() { HasText = "Hemoglobin" });
        await Expect(hemoglobin).ToContainTextAsync("10.4");
        await Expect(hemoglobin.GetByTestId("result-flag")).ToHaveAttributeAsync("data-abnormal", "true");
        await Expect(hemoglobin.GetByTestId("result-flag")).ToHaveTextAsync("Low");
        var potassium = results.Filter(new() { HasText = "Potassium" });
        await Expect(potassium).ToContainTextAsync("4.2");
        await Expect(potassium.GetByTestId("result-flag")).ToHaveAttributeAsync("data-abnormal", "false");
    }

    [Fact]
    public async Task Clinic_VisitWithDecimalVitals_PatientConfirms_TimelineVerifiedWithTheVitals()
    {
        var demo = DemoData.Patients[1];
        var complaint = "Sore throat " + Unique();
        var phone = await PhoneWithKeyAsync(demo);
        var desk = await StaffPatientPageAsync(Lakeview, demo);
        var visit = desk.Visit;
        await visit.TypeDateAsync(DateTime.UtcNow.Date);
        await visit.Clinician.FillAsync("Dr. Thida");
        await visit.Complaint.FillAsync(complaint);
        await visit.Findings.FillAsync("Red throat, no exudate.");
        await visit.Treatment.FillAsync("Rest and fluids.");
        await visit.Systolic.FillAsync("128");
        await visit.Diastolic.FillAsync("84");
        await visit.Temperature.FillAsync("38.5");
        await visit.Weight.FillAsync("62.3");
        await visit.Save.ClickAsync();
        await Expect(visit.Saved).ToHaveTextAsync("Visit saved: the encounter with its vitals and the visit note.");
        var confirmationId = await desk.ConfirmationIdAsync();

        var height = await ConfirmFromStaffLinkAsync(desk, phone, confirmationId, expectSummary: complaint);
        await Expect(desk.StaffAnchoredBlock).ToHaveTextAsync(height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var view = await ConfirmationAsync(Lakeview, confirmationId);
        var anchored = await AnchoredAsync(Lakeview, confirmationId);

        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        foreach (var (_, txId, _) in anchored)
            await Expect(timeline.Row(txId)).ToHaveAttributeAsync("data-integrity", "Verified");

        var encounter = view.Records.Single(r => r.Kind == HealthPortal.Features.Records.RecordKinds.Encounter).RecordId;
        var detail = new RecordDetailPage(phone, anchored.Single(a => a.RecordId == encounter).TxId);
        await detail.GotoAsync();
        await Expect(detail.Integrity).ToHaveTextAsync("Verified");
        await Expect(detail.Record).ToContainTextAsync(complaint);
        await Expect(detail.Record).ToContainTextAsync("38.5");
        await Expect(detail.Record).ToContainTextAsync("62.3");
    }

    [Fact]
    public async Task Hospital_PatientRejectsWithReason_NeverOnTimeline_StaffDashboardShowsReason()
    {
        var demo = DemoData.Patients[1];
        var ward = "Ward 9C-" + Unique();
        var reason = "I was never admitted to " + ward;
        var desk = await StaffPatientPageAsync(Riverside, demo);
        await AdmitAsync(desk, ward, "K35.80", "Acute appendicitis");
        await Expect(desk.Admission.Saved).ToBeVisibleAsync();
        var confirmationId = await desk.ConfirmationIdAsync();
        var link = (await desk.ConfirmLink.GetAttributeAsync("href"))!;

        // Rejecting needs no key: the phone is just signed in.
        var phone = await NewPageAsync(PatientRole(demo));
        await phone.GotoAsync(link);
        var confirm = new ConfirmRecordsPage(phone, confirmationId);
        await confirm.WaitForInteractiveAsync();
        await confirm.OpenReject.ClickAsync();
        await confirm.Reason.FillAsync(reason);
        await confirm.Reject.ClickAsync();
        await Expect(confirm.Rejected).ToContainTextAsync(reason);

        await Expect(desk.StaffRejectedReason).ToHaveTextAsync(reason);
        var dashboard = new FacilityDashboardPage(await NewPageAsync(StaffOf(Riverside)));
        await dashboard.GotoAsync();
        await Expect(dashboard.Rejected(confirmationId)).ToContainTextAsync(reason);
        await Expect(dashboard.Waiting(confirmationId)).ToHaveCountAsync(0);

        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        var view = await ConfirmationAsync(Riverside, confirmationId);
        Assert.Equal(AnchorStatus.Rejected, view.Status);
        Assert.All(view.Records, r => Assert.Null(ledger.Store.FindRecord(view.FacilityNodeId, r.RecordId)));

        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Count).ToBeVisibleAsync();
        await Expect(timeline.Rows.Filter(new() { HasText = ward })).ToHaveCountAsync(0);
        await Expect(timeline.Rows.Filter(new() { HasText = "Acute appendicitis" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Hospital_DiagnosisEditedInStoreAfterAnchoring_TimelineShowsAltered_DetailHidesContent()
    {
        var demo = DemoData.Patients[0];
        var ward = "Ward 2A-" + Unique();
        var phone = await PhoneWithKeyAsync(demo);
        var desk = await StaffPatientPageAsync(Riverside, demo);
        await AdmitAsync(desk, ward, "I21.9", "Acute myocardial infarction");
        await Expect(desk.Admission.Saved).ToBeVisibleAsync();
        var confirmationId = await desk.ConfirmationIdAsync();
        await ConfirmFromStaffLinkAsync(desk, phone, confirmationId, expectSummary: "I21.9 Acute myocardial infarction");
        var anchored = await AnchoredAsync(Riverside, confirmationId);
        var view = await ConfirmationAsync(Riverside, confirmationId);
        var diagnosis = view.Records.Single(r => r.Kind == HealthPortal.Features.Records.RecordKinds.Diagnosis).RecordId;
        var diagnosisTx = anchored.Single(a => a.RecordId == diagnosis).TxId;
        var encounterTx = anchored.Single(a => a.RecordId != diagnosis).TxId;

        // Someone with access to the facility's database rewrites the diagnosis behind the portal's back.
        var store = Path.Combine(Host.DataFolder, EhrStoreProvisioner.Folder, Riverside + ".db");
        Assert.True(File.Exists(store), store);
        await using (var connection = new SqliteConnection($"Data Source={store};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE diagnoses SET Description = $description WHERE Id = $id";
            update.Parameters.AddWithValue("$description", "Indigestion");
            update.Parameters.AddWithValue("$id", diagnosis);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Row(diagnosisTx)).ToHaveAttributeAsync("data-integrity", "Altered");
        await Expect(timeline.Row(diagnosisTx).GetByTestId("integrity-chip")).ToHaveTextAsync("Altered since anchored");
        await Expect(timeline.Row(diagnosisTx)).Not.ToContainTextAsync("Indigestion");
        await Expect(timeline.AlteredWarning).ToBeVisibleAsync();
        await Expect(timeline.Row(encounterTx)).ToHaveAttributeAsync("data-integrity", "Verified");

        var detail = new RecordDetailPage(phone, diagnosisTx);
        await detail.GotoAsync();
        await Expect(detail.Integrity).ToHaveTextAsync("Altered since anchored");
        await Expect(detail.IntegrityMessage).ToContainTextAsync("This record was changed after it was anchored");
        await Expect(detail.Record).ToHaveCountAsync(0);
        await Expect(phone.GetByText("Indigestion")).ToHaveCountAsync(0);
        await Expect(detail.CurrentHash).Not.ToHaveTextAsync(await detail.AnchoredHash.InnerTextAsync());

        // Shown only on request, and then marked as not verified.
        await detail.ShowChanged.ClickAsync();
        await Expect(detail.ChangedContent).ToContainTextAsync("Not verified");
        await Expect(detail.ChangedContent).ToContainTextAsync("Indigestion");

        // "Download all my records" leaves it out of the bundle and says why, rather than hand it out as the patient's.
        await timeline.GotoAsync();
        var bundle = await timeline.DownloadAllAsync();
        var bundlePath = Path.Combine(Host.DataFolder, "downloads", "bundle-" + Unique() + ".json");
        await bundle.SaveAsAsync(bundlePath);
        var json = await File.ReadAllTextAsync(bundlePath);
        var resources = System.Text.Json.Nodes.JsonNode.Parse(json)!["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        Assert.Contains(resources, r => (string?)r["resourceType"] == "Encounter" && (string?)r["id"] == view.Records.Single(x => x.RecordId != diagnosis).RecordId);
        Assert.DoesNotContain(resources, r => (string?)r["id"] == diagnosis);
        Assert.Contains(resources, r => (string?)r["resourceType"] == "OperationOutcome");
        Assert.DoesNotContain("Indigestion", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hospital_DiagnosisDeletedFromStoreAfterAnchoring_TimelineSaysTheFacilityNoLongerHasIt()
    {
        var demo = DemoData.Patients[1];
        var ward = "Ward 7D-" + Unique();
        var phone = await PhoneWithKeyAsync(demo);
        var desk = await StaffPatientPageAsync(Riverside, demo);
        await AdmitAsync(desk, ward, "E11.9", "Type 2 diabetes mellitus");
        await Expect(desk.Admission.Saved).ToBeVisibleAsync();
        var confirmationId = await desk.ConfirmationIdAsync();
        await ConfirmFromStaffLinkAsync(desk, phone, confirmationId, expectSummary: "E11.9 Type 2 diabetes mellitus");
        var view = await ConfirmationAsync(Riverside, confirmationId);
        var diagnosis = view.Records.Single(r => r.Kind == HealthPortal.Features.Records.RecordKinds.Diagnosis).RecordId;
        var diagnosisTx = (await AnchoredAsync(Riverside, confirmationId)).Single(a => a.RecordId == diagnosis).TxId;

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(Host.DataFolder, EhrStoreProvisioner.Folder, Riverside + ".db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM diagnoses WHERE Id = $id";
            delete.Parameters.AddWithValue("$id", diagnosis);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Row(diagnosisTx)).ToHaveAttributeAsync("data-integrity", "Altered");
        await Expect(timeline.Row(diagnosisTx).GetByTestId("record-summary")).ToContainTextAsync("The facility no longer has this record");
        var detail = new RecordDetailPage(phone, diagnosisTx);
        await detail.GotoAsync();
        await Expect(detail.IntegrityMessage).ToContainTextAsync("The facility no longer has this record.");
        await Expect(phone.GetByTestId("no-content")).ToBeVisibleAsync();
        await Expect(detail.ShowChanged).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Timeline_ReceiptOfOneRecord_PassesTheOperatorReceiptCheck()
    {
        var demo = DemoData.Patients[0];
        var phone = await NewPageAsync(PatientRole(demo));
        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        var row = timeline.RowsWith("Verified").First;
        await Expect(row).ToBeVisibleAsync();
        var txId = (await row.GetAttributeAsync("data-txid"))!;

        var download = await timeline.DownloadReceiptAsync(txId);
        Assert.Equal(ReceiptDownload.FileName(txId), download.SuggestedFilename);
        var path = Path.Combine(Host.DataFolder, "downloads", download.SuggestedFilename);
        await download.SaveAsAsync(path);

        var printed = new StringWriter();
        Assert.Equal(0, OperatorCommands.Run(["receipt", "verify", path], printed));
        Assert.StartsWith($"OK receipt tx={txId} ", printed.ToString());

        // One flipped character in the receipt and the same check fails.
        var json = await File.ReadAllTextAsync(path);
        var tampered = Path.Combine(Host.DataFolder, "downloads", "tampered.json");
        await File.WriteAllTextAsync(tampered, json.Replace(txId, txId[..^1] + (txId[^1] == '0' ? '1' : '0'), StringComparison.Ordinal));
        Assert.Equal(1, OperatorCommands.Run(["receipt", "verify", tampered], new StringWriter()));
    }

    [Fact]
    public async Task Timeline_FilterByFacilityAndDate_ThenClear_ShowsAllAgain()
    {
        var phone = await NewPageAsync(PatientRole(DemoData.Patients[0]));
        var timeline = new RecordsTimelinePage(phone);
        await timeline.GotoAsync();
        await Expect(timeline.Rows.First).ToBeVisibleAsync();
        var total = await timeline.Rows.CountAsync();

        await timeline.ChooseAsync(timeline.FacilityFilter, "Riverside General Hospital");
        await Expect(timeline.Rows.GetByTestId("record-facility").Filter(new() { HasNotText = "Riverside General Hospital" })).ToHaveCountAsync(0);
        await Expect(timeline.Count).ToContainTextAsync($" of {total} records");

        await timeline.FromFilter.FillAsync(DateTime.UtcNow.AddDays(2).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await timeline.FromFilter.PressAsync("Tab");
        await Expect(timeline.NoneMatch).ToBeVisibleAsync();
        await Expect(timeline.Rows).ToHaveCountAsync(0);

        await timeline.ClearFilters.ClickAsync();
        await Expect(timeline.Rows).ToHaveCountAsync(total);
        await Expect(timeline.Count).ToHaveTextAsync($"{total} of {total} records");
    }

    /// <summary>The patient's phone: signed in, with a browser key linked through the demo enrolment device.</summary>
    private async Task<IPage> PhoneWithKeyAsync(DemoData.Patient demo)
    {
        var phone = await NewPageAsync(PatientRole(demo));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();
        return phone;
    }

    private async Task<FacilityPatientPage> StaffPatientPageAsync(string facilityId, DemoData.Patient demo)
    {
        var desk = new FacilityPatientPage(await NewPageAsync(StaffOf(facilityId)), await MpiOfAsync(demo));
        await desk.GotoAsync();
        await Expect(desk.Name).ToHaveTextAsync(HealthPortal.Features.FacilityPortal.FoundPatient.InitialsOf(demo.FullName));
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        return desk;
    }

    private static async Task AdmitAsync(FacilityPatientPage desk, string ward, string icd10, string description)
    {
        var form = desk.Admission;
        await form.Ward.FillAsync(ward);
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.TypeStartDateAsync(DateTime.UtcNow.Date);
        await form.Icd10(0).FillAsync(icd10);
        await form.Description(0).FillAsync(description);
        await form.Save.ClickAsync();
    }

    /// <summary>Opens the link shown beside the QR code on the phone, checks what is signed, co-signs; returns the block.</summary>
    private static async Task<long> ConfirmFromStaffLinkAsync(FacilityPatientPage desk, IPage phone, string confirmationId, string? expectSummary)
    {
        var link = (await desk.ConfirmLink.GetAttributeAsync("href"))!;
        Assert.Equal("/patient/confirm/" + confirmationId, new Uri(link).AbsolutePath);
        await Expect(desk.ConfirmQr).ToHaveAttributeAsync("data-url", link);

        await phone.GotoAsync(link);
        var confirm = new ConfirmRecordsPage(phone, confirmationId);
        await confirm.WaitForInteractiveAsync();
        if (expectSummary is not null)
            await Expect(confirm.Summaries.Filter(new() { HasText = expectSummary })).ToHaveCountAsync(1);
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();
        return long.Parse(await confirm.Block.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    /// <summary>The confirmation as the facility's staff see it (records, status, the facility's ledger node).</summary>
    private async Task<AnchorConfirmationView> ConfirmationAsync(string facilityId, string confirmationId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(StaffOf(facilityId).Email);
        ClaimsPrincipal staff = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user!);
        // A staff session is a two-factor one (the facility portal policy asks for amr=mfa, as SignInManager sets it).
        ((ClaimsIdentity)staff.Identity!).AddClaim(new System.Security.Claims.Claim(HealthPortal.Features.Auth.SecondFactor.AmrClaim, HealthPortal.Features.Auth.SecondFactor.Mfa));
        return (await services.GetRequiredService<AnchorWorkflow>().ForFacilityAsync(staff, confirmationId))!;
    }

    /// <summary>Each record of the confirmation as the ledger holds it: the anchoring transaction and its block.</summary>
    private async Task<IReadOnlyList<(string RecordId, string TxId, long Height)>> AnchoredAsync(string facilityId, string confirmationId)
    {
        var view = await ConfirmationAsync(facilityId, confirmationId);
        var ledger = Host.Services.GetRequiredService<LedgerHost>().Engine;
        return view.Records.Select(r =>
        {
            var entry = ledger.Store.FindRecord(view.FacilityNodeId, r.RecordId) ?? throw new Xunit.Sdk.XunitException($"{r.RecordId} is not on the ledger");
            return (r.RecordId, entry.TxId, entry.Height);
        }).ToList();
    }
}
