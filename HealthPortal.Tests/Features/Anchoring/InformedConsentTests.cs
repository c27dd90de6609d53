using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>
/// Issue 16, informed co-signing: the patient reads the whole content of what they sign (every field of every store
/// format that goes into the hash), signs only after reading it, and may dispute single records.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class InformedConsentTests(PortalFactory portal) : PortalComponentTest
{
    private const string Riverside = "demo-riverside";
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";
    private const string KeysModule = "./js/patient-keys.js";

    protected override Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<AnchorEvents>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        Services.AddScoped<AnchorWorkflow>();
        // A delegate with the cosign power may confirm too (issue 14): the workflow and the page ask ActingFor.
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        return Task.CompletedTask;
    }

    private void SignIn(TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
        var module = JSInterop.SetupModule(KeysModule);
        module.Setup<JsonObject>("publicKey", _ => true).SetResult(patient.Key!.Jwk.ToJson());
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private static DateTime Utc(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, DateTimeKind.Utc);

    private static string When(DateTime utc) => FhirFormat.DateTime(EhrFhir.DateTime(utc).Value)!;

    /// <summary>One save of each store format with a distinct value in every field the FHIR form (so the hash) is made of, and those values as the page must show them.</summary>
    private static (string Facility, IReadOnlyList<EhrRecord> Records, IReadOnlyList<string> Visible) Save(FacilityKind kind, string mpi)
    {
        switch (kind)
        {
            case FacilityKind.Hospital:
            {
                var a = new HealthPortal.Features.Ehr.Hospital.Admission
                {
                    Id = Unique("adm"), Patient = new HospitalPatient { Mrn = "H0000001", Mpi = mpi }, Type = AdmissionTypes.Inpatient, Ward = "Ward 7 East",
                    AttendingClinician = "Dr Thiri Aung", StartedAt = Utc(20, 8, 15), EndedAt = Utc(23, 10, 40),
                };
                a.Diagnoses.Add(new Diagnosis { Id = Unique("dx"), Admission = a, Icd10 = "I10", Description = "Essential (primary) hypertension" });
                a.Prescriptions.Add(new Prescription { Id = Unique("rx"), Admission = a, Drug = "Amlodipine 5 mg tablet", Dose = "5 mg", Route = "oral", Frequency = "once daily", DurationDays = 30 });
                a.Allergies.Add(new HospitalAllergy { Id = Unique("alg"), Admission = a, Substance = "Penicillin", Category = AllergyCategories.Medication, Reaction = "Hives", Severity = "moderate" });
                a.Notes.Add(new ClinicalNote { Id = Unique("note"), Admission = a, Author = "Dr Khin Mya", WrittenAt = Utc(21, 9, 5), Text = "Blood pressure 182/104 on arrival; settled on amlodipine. Home with follow-up." });
                return (Riverside, HospitalFhir.RecordsOf(Riverside, a).ToList(),
                [
                    "inpatient encounter", a.Ward, a.AttendingClinician, When(a.StartedAt), When(a.EndedAt!.Value),
                    "ICD-10 I10", "Essential (primary) hypertension",
                    "Amlodipine 5 mg tablet", "5 mg", "oral", "once daily", "30 days",
                    "Dr Khin Mya", FhirFormat.Instant(EhrFhir.Instant(Utc(21, 9, 5)))!, a.Notes[0].Text,
                    "Penicillin", "medication", "Hives (moderate)",
                ]);
            }
            case FacilityKind.Clinic:
            {
                var v = new Visit
                {
                    Id = Unique("visit"), NoteId = Unique("vnote"), Patient = new ClinicPatient { Mrn = "C0000001", Mpi = mpi }, SeenAt = Utc(22, 14, 30),
                    Clinician = "Dr Hnin Wai", ChiefComplaint = "Fever and sore throat for three days", Findings = "Inflamed tonsils, no exudate",
                    Treatment = "Paracetamol 500 mg as needed", FollowUpOn = new DateOnly(2026, 11, 29),
                };
                v.Allergies.Add(new ClinicAllergy { Id = Unique("alg"), Visit = v, Substance = "Peanuts", Category = AllergyCategories.Food, Reaction = "Lip swelling", Severity = "severe" });
                v.Vitals = new Vitals { Visit = v, Systolic = 128, Diastolic = 84, Pulse = 76, TemperatureC = 38.2m, WeightKg = 61.5m };
                return (Lakeview, ClinicFhir.RecordsOf(Lakeview, v).ToList(),
                [
                    When(v.SeenAt), v.Clinician, v.ChiefComplaint, v.Findings, v.Treatment, "2026-11-29",
                    "128 mmHg", "84 mmHg", "76 /min", "38.2 °C", "61.5 kg",
                    "Peanuts", "food", "Lip swelling (severe)",
                ]);
            }
            default:
            {
                var o = new LabOrder
                {
                    Id = Unique("ord"), Patient = new LabPatient { Mrn = "L0000001", Mpi = mpi }, OrderingClinician = "Dr Zaw Lin", SpecimenType = "Venous blood",
                    CollectedAt = Utc(24, 7, 45), ReportedAt = Utc(24, 11, 20),
                };
                o.Results.Add(new LabResult { Id = Unique("res"), Order = o, Position = 0, Loinc = "2345-7", Name = "Glucose [Mass/volume] in Serum or Plasma", Unit = "mmol/L", ReferenceLow = 3.9m, ReferenceHigh = 5.5m, Value = 7.8m, Flag = LabFlags.High });
                o.Results.Add(new LabResult { Id = Unique("res"), Order = o, Position = 1, Loinc = "2823-3", Name = "Potassium [Moles/volume] in Serum or Plasma", Unit = "mmol/L", ReferenceLow = 3.5m, ReferenceHigh = 5.1m, Value = 4.2m, Flag = LabFlags.Normal });
                return (Northgate, [LaboratoryFhir.Report(Northgate, o)],
                [
                    o.OrderingClinician, "Venous blood", When(o.CollectedAt), FhirFormat.Instant(EhrFhir.Instant(o.ReportedAt!.Value))!,
                    "LOINC 2345-7", "Glucose [Mass/volume] in Serum or Plasma", "7.8 mmol/L", "3.9–5.5 mmol/L", "High",
                    "LOINC 2823-3", "Potassium [Moles/volume] in Serum or Plasma", "4.2 mmol/L", "3.5–5.1 mmol/L", "Normal",
                ]);
            }
        }
    }

    private static string Text(IRenderedComponent<ConfirmRecords> page) =>
        string.Join(' ', page.Find("[data-testid='anchor-review']").TextContent.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData(FacilityKind.Hospital, "Confirm my visit")]
    [InlineData(FacilityKind.Clinic, "Confirm my visit")]
    [InlineData(FacilityKind.Laboratory, "Confirm my lab result")]
    public async Task ConfirmPage_ShowsEveryHashedFieldOfTheStoreFormat_BeforeTheSignButton(FacilityKind kind, string title)
    {
        var patient = await portal.RegisteredPatientAsync();
        var (facility, records, visible) = Save(kind, patient.Mpi!);
        var prepared = await portal.PrepareAsync(facility, patient.Mpi!, [.. records]);
        SignIn(patient);

        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));

        page.WaitForAssertion(() => Assert.Equal(records.Count, page.FindAll("[data-testid='review-content']").Count));
        Assert.Equal(title, page.Find("[data-testid='confirm-title']").TextContent.Trim());
        var text = Text(page);
        Assert.All(visible, value => Assert.Contains(value, text));
        // The content comes before the button, and the hash-checked content is what the anchors name.
        Assert.True(page.Markup.IndexOf("data-testid=\"review-content\"", StringComparison.Ordinal) < page.Markup.IndexOf("data-testid=\"confirm-sign\"", StringComparison.Ordinal));
        var contents = await portal.Workflow(w => w.ContentOfAsync(patient.Principal, prepared.Id));
        Assert.All(contents!, c => Assert.Equal(records.Single(r => r.RecordId == c.RecordId).Hash, RecordHash.Of(c.Fhir!)));
    }

    [Fact]
    public async Task SignButton_WaitsUntilEveryRecordWasReadToItsEnd()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (facility, records, _) = Save(FacilityKind.Hospital, patient.Mpi!);
        var prepared = await portal.PrepareAsync(facility, patient.Mpi!, [.. records]);
        SignIn(patient);
        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='confirm-sign']")));

        Assert.True(page.Find("[data-testid='confirm-sign']").HasAttribute("disabled"));
        Assert.Equal(records.Count, page.FindAll("[data-testid='review-unseen']").Count);
        // The script reports the end of every record but the last in view; the last is opened in full.
        foreach (var record in records.SkipLast(1)) await page.InvokeAsync(() => page.Instance.Seen(record.RecordId));
        Assert.True(page.Find("[data-testid='confirm-sign']").HasAttribute("disabled"));
        page.FindAll("[data-testid='review-expand']").Last().Click();

        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid='confirm-sign']").HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid='review-unseen']"));
    }

    [Fact]
    public async Task ContentThatNoLongerMatchesTheAnchoredHash_IsNotShownAndCannotBeSigned()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (facility, records, _) = Save(FacilityKind.Laboratory, patient.Mpi!);
        var prepared = await portal.PrepareAsync(facility, patient.Mpi!, [.. records]);
        await portal.QueryAsync(async db =>
        {
            var row = await db.Set<AnchorConfirmationRecord>().SingleAsync(r => r.ConfirmationId == prepared.Id);
            row.FhirJson = row.FhirJson!.Replace("7.8", "5.0");
            return await db.SaveChangesAsync();
        });
        SignIn(patient);

        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));

        page.WaitForAssertion(() => Assert.Equal(nameof(ContentProblem.Altered), page.Find("[data-testid='review-content-problem']").GetAttribute("data-problem")));
        Assert.DoesNotContain("5.0 mmol/L", page.Markup);
        await page.InvokeAsync(() => page.Instance.Seen(records[0].RecordId));
        Assert.True(page.Find("[data-testid='confirm-sign']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task DisputingEveryRecord_OnThePage_SendsTheDisputesWithoutAKeyAndRejectsTheSave()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (facility, records, _) = Save(FacilityKind.Laboratory, patient.Mpi!);
        var prepared = await portal.PrepareAsync(facility, patient.Mpi!, [.. records]);
        SignIn(patient);
        var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, prepared.Id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='review-choose-dispute']")));

        page.Find("[data-testid='review-choose-dispute']").Click();
        Assert.True(page.Find("[data-testid='confirm-send-disputes']").HasAttribute("disabled"));
        page.Find("[data-testid='dispute-code-other']").Click();
        // "Another reason" says nothing by itself: words are needed.
        Assert.True(page.Find("[data-testid='confirm-send-disputes']").HasAttribute("disabled"));
        page.Find("textarea[data-testid='dispute-words']").Input("I never had a blood test at Northgate");
        page.Find("[data-testid='confirm-send-disputes']").Click();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='confirm-rejected']")));
        Assert.Equal(AnchorRejectReasons.Other, page.Find("[data-testid='review-disputed']").GetAttribute("data-code"));
        var staff = await portal.StaffOfAsync(facility);
        var seen = await portal.Workflow(w => w.ForFacilityAsync(staff, prepared.Id));
        Assert.Equal(AnchorStatus.Rejected, seen!.Status);
        Assert.Equal("I never had a blood test at Northgate", seen.Records.Single().RejectWords);
    }

    [Fact]
    public async Task Workflow_ConfirmTheVisit_DisputeOnePrescription_OnlyTheRestGoesOnTheLedger()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (facility, records, _) = Save(FacilityKind.Hospital, patient.Mpi!);
        var prepared = await portal.PrepareAsync(facility, patient.Mpi!, [.. records]);
        var prescription = records.Single(r => r.Kind == RecordKinds.Prescription);

        var disputed = await portal.Workflow(w => w.DisputeAsync(patient.Principal, prepared.Id, [new RecordDispute(prescription.RecordId, AnchorRejectReasons.WrongDetails)]));
        Assert.Equal(AnchorStatus.Pending, disputed.Status);
        var toSign = await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id));
        Assert.Equal(records.Count - 1, toSign!.Count);
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);

        Assert.Equal(AnchorStatus.Anchored, outcome.Status);
        var reader = portal.Services.GetRequiredService<LedgerHost>().Reader;
        Assert.Null(reader.Record(prepared.FacilityNodeId, prescription.RecordId));
        Assert.All(records.Where(r => r != prescription), r => Assert.NotNull(reader.Record(prepared.FacilityNodeId, r.RecordId)));
        var staff = await portal.StaffOfAsync(facility);
        var lists = await portal.Workflow(w => w.FacilityListsAsync(staff, facility));
        var listed = lists.Rejected.Single(c => c.Id == prepared.Id);
        Assert.Equal(AnchorRejectReasons.WrongDetails, listed.Disputed.Single().RejectCode);
        Assert.Null(listed.Disputed.Single().RejectWords);
    }

    [Theory]
    [InlineData("no-such-code", null, AnchorError.Invalid)]
    [InlineData(AnchorRejectReasons.Other, null, AnchorError.Invalid)]
    [InlineData(AnchorRejectReasons.Other, "bad \u202E text", AnchorError.Invalid)]
    public async Task Workflow_Dispute_RefusesBadInputAndChangesNothing(string code, string? words, AnchorError expected)
    {
        var patient = await portal.RegisteredPatientAsync();
        var record = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, record);

        var outcome = await portal.Workflow(w => w.DisputeAsync(patient.Principal, prepared.Id, [new RecordDispute(record.RecordId, code, words)]));

        Assert.Equal(expected, outcome.Code);
        var after = await portal.Workflow(w => w.ForPatientAsync(patient.Principal, prepared.Id));
        Assert.Equal(RecordDecision.Open, after!.Records.Single().Decision);
    }

    [Fact]
    public async Task Workflow_Withdraw_ByTheFacilityOnly_ThenItCannotBeSigned()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var signatures = await portal.SignAllAsync(patient, prepared.Id);
        var otherStaff = await portal.StaffOfAsync(Riverside);
        Assert.Equal(AnchorError.NotFound, (await portal.Workflow(w => w.WithdrawAsync(otherStaff, prepared.Id))).Code);

        var staff = await portal.StaffOfAsync(Lakeview);
        var withdrawn = await portal.Workflow(w => w.WithdrawAsync(staff, prepared.Id));

        Assert.Equal(AnchorStatus.Withdrawn, withdrawn.Status);
        Assert.DoesNotContain(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)), c => c.Id == prepared.Id);
        Assert.Null(await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)));
        var late = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));
        Assert.Equal(AnchorError.NotPending, late.Code);
        Assert.DoesNotContain((await portal.Workflow(w => w.FacilityListsAsync(staff, Lakeview))).Waiting, c => c.Id == prepared.Id);
    }

    [Fact]
    public async Task Workflow_Remind_IsNotRepeatedAtOnce()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var staff = await portal.StaffOfAsync(Lakeview);
        var url = "https://portal.example/patient/confirm/" + prepared.Id;

        var first = await portal.Workflow(w => w.RemindAsync(staff, prepared.Id, url));
        var second = await portal.Workflow(w => w.RemindAsync(staff, prepared.Id, url));

        Assert.Contains(first.Code, new[] { AnchorError.None, AnchorError.NoAddress });
        Assert.Equal(AnchorError.TooSoon, second.Code);
        Assert.Equal(AnchorError.NotFound, (await portal.Workflow(async w => await w.RemindAsync(await portal.StaffOfAsync(Riverside), prepared.Id, url))).Code);
    }

    [Theory]
    [InlineData(new[] { RecordKinds.LabResult, RecordKinds.LabResult }, "Confirm my lab results")]
    [InlineData(new[] { RecordKinds.Prescription }, "Confirm my prescription")]
    [InlineData(new[] { RecordKinds.Diagnosis, RecordKinds.Prescription }, "Confirm my records")]
    [InlineData(new[] { RecordKinds.Encounter, RecordKinds.Note }, "Confirm my visit")]
    public void Title_FitsWhatIsConfirmed(string[] kinds, string title) =>
        Assert.Equal(title, AnchorTitles.For([.. kinds.Select(k => new AnchorRecordView("r", k, "2026-11-24", "", "", "", "", "", null))]));
}
