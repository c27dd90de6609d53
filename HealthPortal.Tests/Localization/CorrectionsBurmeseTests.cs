using Bunit;
using HealthPortal.Features.Corrections;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Features.Corrections;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The correction panels under Burmese over the test portal: a corrected record's history (<see cref="RecordHistory"/>),
/// the patient's request form with its refusal of empty words and the open request (<see cref="AskForCorrection"/>), and
/// the staff's list of requests with the decline form's refusal (<see cref="CorrectionRequestsPanel"/>). The reasons
/// people wrote are Burmese data; the integrity chip and the record's content belong to <c>Features/Records</c> and are
/// stubbed until it moves.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class CorrectionsBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private const string LakeviewName = "လိပ်ဗျူး မိသားစု ဆေးခန်း";

    protected override Task ConfigureAsync()
    {
        CorrectionPagesTests.AddPageServices(Services, portal);
        ComponentFactories.AddStub<IntegrityChip>();
        ComponentFactories.AddStub<FhirRecordView>();
        return Task.CompletedTask;
    }

    private async Task<RecordEntry> AnchoredVisitAsync(TestPatient patient)
    {
        var clinic = portal.Services.GetRequiredService<ClinicRecords>();
        var input = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(8), Clinician = "ဒေါက်တာ ကျော်", ChiefComplaint = "ချောင်းဆိုး", Findings = "ရင်ဘတ် ကြည်သည်။" };
        var records = (await clinic.RecordVisitAsync(Lakeview, patient.Mpi!, input, "staff@test")).Value!.Records;
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. records]);
        Assert.True((await portal.ConfirmAsync(patient, prepared.Id)).Succeeded);
        return portal.Services.GetRequiredService<LedgerHost>().Reader.Record(prepared.FacilityNodeId, records[0].RecordId)!;
    }

    [Fact]
    public async Task RecordHistory_UnderBurmese_ShowsNoEnglish()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (_, fresh, correction) = await CorrectionPagesTests.CorrectedVisitAsync(portal, patient, "အပူချိန် မှားရိုက်ခဲ့သည်");
        Assert.True((await portal.ConfirmAsync(patient, correction.Id)).Succeeded);
        var current = portal.Services.GetRequiredService<LedgerHost>().Reader.Record(correction.FacilityNodeId, fresh[0].RecordId)!;
        CorrectionPagesTests.SignIn(Auth, patient);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var history = Render<RecordHistory>(p => p.Add(c => c.Anchor, current));
            history.WaitForAssertion(() => Assert.Equal(2, history.FindAll("[data-testid='record-version']").Count));
            return BurmeseText.Of(history).ToList();
        });

        BurmeseText.AssertBurmeseBeyond(texts, [], "a corrected record's Burmese history");
        Assert.Contains(texts, t => t.Contains("ပြင်ဆင်ရသည့် အကြောင်းရင်း-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AskForCorrection_UnderBurmese_RefusesAndListsInBurmese()
    {
        var patient = await portal.RegisteredPatientAsync();
        var anchor = await AnchoredVisitAsync(patient);
        CorrectionPagesTests.SignIn(Auth, patient);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var ask = Render<AskForCorrection>(p => p.Add(c => c.Anchor, anchor).Add(c => c.FacilityName, LakeviewName));
            ask.Find("[data-testid='ask-correction-open']").Click();
            ask.WaitForElement("[data-testid='ask-correction-send']", TimeSpan.FromSeconds(10)).Click();
            ask.WaitForAssertion(() => Assert.Contains("ပြင်ဆင်သင့်သည့်အရာကို ရေးပါ", ask.Markup, StringComparison.Ordinal));
            var shown = BurmeseText.Of(ask).ToList();
            ask.Find("textarea").Input("ချောင်းဆိုးသည် တစ်ပတ် စောပြီး စခဲ့သည်။");
            ask.Find("[data-testid='ask-correction-send']").Click();
            ask.WaitForAssertion(() => Assert.Equal("Open", ask.Find("[data-testid='correction-request']").GetAttribute("data-status")));
            shown.AddRange(BurmeseText.Of(ask));
            return shown;
        });

        BurmeseText.AssertBurmeseBeyond(texts, [], "the Burmese correction request");
        Assert.Contains(texts, t => t.Contains($"{LakeviewName} က မဖြေကြားရသေးပါ။", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestsPanel_UnderBurmese_RefusesAnEmptyDeclineInBurmese()
    {
        var patient = await portal.RegisteredPatientAsync();
        var anchor = await AnchoredVisitAsync(patient);
        var asked = await portal.WithScopeAsync(s => s.GetRequiredService<RecordCorrections>().AskAsync(patient.Principal, anchor, "ချောင်းဆိုးသည် တစ်ပတ် စောပြီး စခဲ့သည်။"));
        Assert.True(asked.IsOk, asked.Message);
        var staff = await portal.StaffOfAsync(Lakeview);
        Auth.SetAuthorized(PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.FacilityStaff, Lakeview));
        Auth.SetRoles(HealthPortal.Features.Auth.Roles.FacilityStaff);
        Auth.SetPolicies(HealthPortal.Features.Auth.PortalPolicies.FacilityPortal);
        Auth.SetClaims([.. staff.Claims]);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var panel = Render<CorrectionRequestsPanel>(p => p.Add(c => c.FacilityId, Lakeview).Add(c => c.Mpi, patient.Mpi).Add(c => c.OnCorrect, (string _) => { }));
            panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("[data-testid='request-decline']")));
            panel.Find("[data-testid='request-decline']").Click();
            panel.WaitForElement("[data-testid='decline-send']", TimeSpan.FromSeconds(10)).Click();
            panel.WaitForAssertion(() => Assert.Contains("မှတ်တမ်းကို အဘယ်ကြောင့် မပြင်ဆင်သည်ကို ရေးပါ", panel.Markup, StringComparison.Ordinal));
            return BurmeseText.Of(panel).ToList();
        });

        // The record's one-line summary is the EHR store's (Features/Ehr, not in Burmese yet): data here.
        var summaries = (await portal.WithScopeAsync(s => s.GetRequiredService<RecordCorrections>().RequestsForStaffAsync(staff, Lakeview, patient.Mpi, openOnly: false)))
            .Select(r => r.RecordSummary);
        BurmeseText.AssertBurmeseBeyond(texts, [patient.Mpi, .. summaries], "the staff's Burmese correction requests");
    }
}
