using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
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
/// Issue 16 in Chromium: the patient reads the full content of what they co-sign (values with units and reference
/// ranges, note text, diagnoses, medications) before the sign button works, confirms a visit while disputing one of its
/// records, and staff keep the confirmation code across a reload. The saves are made through the stores' own FHIR
/// mapping and the workflow call the entry forms make.
/// </summary>
public sealed class InformedConsentTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Riverside = "demo-riverside";
    private const string Northgate = "demo-northgate";

    private PortalRole StaffOf(string facility) => new(facility + " staff", DemoData.AccountFor(Roles.FacilityStaff, facility).Email, DemoPassword);

    private PortalRole PatientRole(DemoData.Patient demo) => new("patient " + demo.FullName, demo.Email, DemoPassword);

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    private async Task<AnchorConfirmationView> SaveAsync(string facility, string mpi, IReadOnlyList<EhrRecord> records)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(StaffOf(facility).Email);
        ClaimsPrincipal staff = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user!);
        ((ClaimsIdentity)staff.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
        var prepared = await services.GetRequiredService<AnchorWorkflow>().PrepareAsync(staff, facility, mpi, records);
        Assert.True(prepared.Succeeded, prepared.Error);
        return prepared.Confirmation!;
    }

    private static string Unique(string prefix) => $"e2e-{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>The patient's browser gets a key (demo mode: co-signed by the demo enrolment device).</summary>
    private async Task<IPage> PatientWithKeyAsync(DemoData.Patient demo)
    {
        var phone = await NewPageAsync(PatientRole(demo));
        var devices = new DevicesPage(phone);
        await devices.LinkWithDemoDeviceAsync();
        return phone;
    }

    [Fact]
    public async Task LabResult_PatientReadsValuesUnitsAndRanges_ThenSigns()
    {
        var demo = DemoData.Patients[0];
        var mpi = await MpiOfAsync(demo);
        var phone = await PatientWithKeyAsync(demo);
        var now = DateTime.UtcNow.AddMinutes(-30);
        var order = new LabOrder
        {
            Id = Unique("ord"), Patient = new LabPatient { Mrn = "L9", Mpi = mpi }, OrderingClinician = "Dr Zaw Lin", SpecimenType = "Venous blood",
            CollectedAt = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc), ReportedAt = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddMinutes(20),
        };
        order.Results.Add(new LabResult { Id = "r1", Order = order, Position = 0, Loinc = "2345-7", Name = "Glucose [Mass/volume] in Serum or Plasma", Unit = "mmol/L", ReferenceLow = 3.9m, ReferenceHigh = 5.5m, Value = 7.8m, Flag = LabFlags.High });
        order.Results.Add(new LabResult { Id = "r2", Order = order, Position = 1, Loinc = "2823-3", Name = "Potassium [Moles/volume] in Serum or Plasma", Unit = "mmol/L", ReferenceLow = 3.5m, ReferenceHigh = 5.1m, Value = 4.2m, Flag = LabFlags.Normal });
        var saved = await SaveAsync(Northgate, mpi, [LaboratoryFhir.Report(Northgate, order)]);

        var confirm = new ConfirmRecordsPage(phone, saved.Id);
        await confirm.GotoAsync();

        await Expect(confirm.Title).ToHaveTextAsync("Confirm my lab result");
        await Expect(phone).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^Confirm my lab result"));
        var content = confirm.Content.First;
        await Expect(content).ToBeVisibleAsync();
        await Expect(content).ToContainTextAsync("Glucose [Mass/volume] in Serum or Plasma");
        await Expect(content).ToContainTextAsync("7.8 mmol/L");
        await Expect(content).ToContainTextAsync("3.9–5.5 mmol/L");
        await Expect(content).ToContainTextAsync("4.2 mmol/L");
        await Expect(content).ToContainTextAsync("3.5–5.1 mmol/L");
        await Expect(content).ToContainTextAsync("High");
        await Expect(content).ToContainTextAsync("LOINC 2345-7");
        await Expect(content).ToContainTextAsync("Venous blood");
        await Expect(content).ToContainTextAsync("Dr Zaw Lin");
        // The results are below the fold of the report's box: signing waits until the patient scrolled to its end.
        await Expect(confirm.ConfirmAndSign).ToBeDisabledAsync();
        await confirm.ReadEverythingAsync();
        await Expect(confirm.ConfirmAndSign).ToBeEnabledAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();
        var reader = Host.Services.GetRequiredService<LedgerHost>().Reader;
        Assert.Equal(saved.Records[0].Hash, reader.Record(saved.FacilityNodeId, saved.Records[0].RecordId)!.Hash);
    }

    [Fact]
    public async Task Visit_LongNoteMustBeReadToTheEnd_OnePrescriptionDisputed_StaffKeepTheCodeAcrossAReload()
    {
        var demo = DemoData.Patients[1];
        var mpi = await MpiOfAsync(demo);
        var phone = await PatientWithKeyAsync(demo);
        var start = DateTime.UtcNow.AddHours(-3);
        start = new DateTime(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, DateTimeKind.Utc);
        var admission = new HealthPortal.Features.Ehr.Hospital.Admission
        {
            Id = Unique("adm"), Patient = new HospitalPatient { Mrn = "H9", Mpi = mpi }, Type = AdmissionTypes.Inpatient, Ward = "Ward 7 East",
            AttendingClinician = "Dr Thiri Aung", StartedAt = start,
        };
        admission.Diagnoses.Add(new Diagnosis { Id = Unique("dx"), Admission = admission, Icd10 = "I10", Description = "Essential (primary) hypertension" });
        admission.Prescriptions.Add(new Prescription { Id = Unique("rx"), Admission = admission, Drug = "Amlodipine 5 mg tablet", Dose = "5 mg", Route = "oral", Frequency = "once daily", DurationDays = 30 });
        var longNote = string.Join('\n', Enumerable.Range(1, 80).Select(i => $"Observation round {i}: blood pressure checked, patient comfortable.")) + "\nEND OF NOTE: discharge planned.";
        admission.Notes.Add(new ClinicalNote { Id = Unique("note"), Admission = admission, Author = "Dr Thiri Aung", WrittenAt = start.AddHours(1), Text = longNote });
        var records = HospitalFhir.RecordsOf(Riverside, admission).ToList();
        var saved = await SaveAsync(Riverside, mpi, records);
        var prescription = records.Single(r => r.Kind == RecordKinds.Prescription);

        // Staff come to the patient's page after the save (a reload of it): the code is there, and the save is listed.
        var desk = await NewPageAsync(StaffOf(Riverside));
        var staffPage = new FacilityPatientPage(desk, mpi);
        await staffPage.GotoAsync();
        await Expect(staffPage.ConfirmQr).ToBeVisibleAsync();
        // The facility's own records of the patient include those never sent through the portal (the seeded admission).
        var fromStore = desk.Locator("[data-testid='patient-record'][data-source='store']");
        await Expect(fromStore.First).ToBeVisibleAsync();
        await Expect(fromStore.First.GetByTestId("anchor-status")).ToHaveAttributeAsync("data-status", "Anchored");
        Assert.Equal(saved.Id, await staffPage.ConfirmationIdAsync());
        await desk.ReloadAsync();
        await desk.WaitForInteractiveAsync();
        await Expect(staffPage.ConfirmQr).ToBeVisibleAsync();
        await Expect(staffPage.WaitingItem(saved.Id)).ToBeVisibleAsync();

        var confirm = new ConfirmRecordsPage(phone, saved.Id);
        await confirm.GotoAsync();
        await Expect(confirm.Title).ToHaveTextAsync("Confirm my visit");
        await Expect(confirm.Content).ToHaveCountAsync(records.Count);
        await Expect(confirm.Record(prescription.RecordId)).ToContainTextAsync("Amlodipine 5 mg tablet");
        await Expect(confirm.Record(prescription.RecordId)).ToContainTextAsync("once daily");
        await Expect(phone.GetByTestId("anchor-review")).ToContainTextAsync("Essential (primary) hypertension");

        // The long note is not read yet: the button waits; scrolling its box to the end enables it.
        await Expect(confirm.ConfirmAndSign).ToBeDisabledAsync();
        await Expect(confirm.SignBlocked).ToContainTextAsync("Read every record");
        var note = confirm.Record(records.Single(r => r.Kind == RecordKinds.Note).RecordId).GetByTestId("review-content");
        await Expect(note).ToContainTextAsync("END OF NOTE: discharge planned.");
        await note.EvaluateAsync("box => box.scrollTop = box.scrollHeight");

        // The prescription is wrong: disputed with a reason code; the rest is confirmed.
        var rx = confirm.Record(prescription.RecordId);
        await rx.GetByTestId("review-choose-dispute").ClickAsync();
        await rx.GetByRole(AriaRole.Radio, new() { Name = AnchorRejectReasons.Label(AnchorRejectReasons.WrongDetails), Exact = true }).CheckAsync();
        await rx.GetByTestId("dispute-words").FillAsync("I was given 10 mg, not 5 mg");
        await Expect(confirm.ConfirmAndSign).ToBeEnabledAsync();
        await Expect(confirm.ConfirmAndSign).ToHaveTextAsync($"Confirm {records.Count - 1}, dispute 1, and sign");
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();
        await Expect(phone.GetByTestId("confirm-anchored-disputed")).ToBeVisibleAsync();

        var reader = Host.Services.GetRequiredService<LedgerHost>().Reader;
        Assert.Null(reader.Record(saved.FacilityNodeId, prescription.RecordId));
        Assert.All(records.Where(r => r != prescription), r => Assert.NotNull(reader.Record(saved.FacilityNodeId, r.RecordId)));
        // Staff see it live: the visit on the ledger, the prescription disputed with the patient's words; nothing waits any more.
        await Expect(staffPage.Record(prescription.RecordId).GetByTestId("record-reject-reason")).ToContainTextAsync("I was given 10 mg, not 5 mg");
        await Expect(staffPage.Record(prescription.RecordId).GetByTestId("record-reject-reason")).ToHaveAttributeAsync("data-code", AnchorRejectReasons.WrongDetails);
        await Expect(staffPage.StatusOf(records[0].RecordId)).ToHaveAttributeAsync("data-status", "Anchored");
        await Expect(staffPage.WaitingItem(saved.Id)).ToHaveCountAsync(0);
    }
}
