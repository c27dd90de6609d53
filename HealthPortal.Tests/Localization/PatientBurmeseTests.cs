using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patient.Summary;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Features.Patient.Records;
using HealthPortal.Tests.Features.Patient.Summary;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The patient's record pages under Burmese, over a node with anchored records (an admission, two laboratory reports and
/// one report changed since it was anchored): the timeline, one verified and one altered record, and the health summary
/// with its trend chart. What the records hold (test names, values, units, codes, FHIR status words, the facility's
/// summary line) and the facilities' names are data, shown as stored; everything else must be Burmese. The panels of
/// folders not yet moved (the date pickers of Features/Times, the correction panels of Features/Corrections) are stubbed.
/// </summary>
public sealed class PatientBurmeseTests(SummaryTestNode node) : PortalComponentTest, IClassFixture<SummaryTestNode>
{
    // The cells and lines that hold record content, not the portal's words.
    private const string RecordData =
        "[data-testid='record-summary'], [data-testid='record-facility'], [data-testid='fhir-title'], [data-testid='fhir-field'] td, "
        + "[data-testid='result-name'], [data-testid='result-code'], [data-testid='result-value-cell'], [data-testid='result-range-cell'], "
        + "[data-testid='result-flag'], [data-testid='note-text'], [data-named-by-record] th";

    private const string SummaryData =
        "[data-testid='summary-allergy'] td, [data-testid='summary-problem'] td, [data-testid='summary-medication'] td:nth-child(1), "
        + "[data-testid='summary-medication'] td:nth-child(2), [data-testid='summary-result-name'], [data-testid='summary-result-latest'], "
        + "[data-testid='summary-result-flag'], [data-testid='summary-result-point'] td:nth-child(2), [data-testid='summary-result-point'] td:nth-child(3)";

    protected override Task ConfigureAsync()
    {
        node.Node.AddTo(Services);
        Services.AddSingleton<IRecordFetcher>(node.Fetcher);
        Services.AddScoped<RecordVerifier>();
        Services.AddScoped<PatientRecords>();
        Services.AddScoped<HealthSummaries>();
        Services.TryAddSingleton(TimeProvider.System);
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        ComponentFactories.AddStub<HealthPortal.Features.Times.DateField>();
        ComponentFactories.AddStub<HealthPortal.Features.Corrections.RecordHistory>();
        ComponentFactories.AddStub<HealthPortal.Features.Corrections.AskForCorrection>();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task MyRecords_UnderBurmese_ShowsNoEnglishBeyondTheRecords()
    {
        await SignInAsync();
        Render<MudPopoverProvider>();

        List<string> data = [];
        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<MyRecords>();
            page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid='records-still-verifying']")), TimeSpan.FromSeconds(20));
            data = DataOf(page, RecordData);
            return BurmeseText.Of(page).ToList();
        });

        BurmeseText.AssertBurmeseBeyond(texts, [.. data, .. await FacilityNamesAsync()], "the timeline");
        Assert.Contains(texts, t => t.Contains("ကျွန်ုပ်၏ ကျန်းမာရေး မှတ်တမ်းများ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecordDetail_UnderBurmese_VerifiedAndAltered_ShowNoEnglishBeyondTheRecord()
    {
        await SignInAsync();

        // The allergy is one of the admission's records, served as anchored.
        foreach (var (tx, verdict) in new[] { (node.AllergyTx, "Verified"), (node.AlteredTx, "Altered") })
        {
            List<string> data = [];
            var texts = BurmeseText.UnderBurmese(() =>
            {
                var page = Render<RecordDetail>(p => p.Add(d => d.TxId, tx));
                page.WaitForElement("[data-testid='integrity-message']");
                if (verdict == "Altered")
                {
                    page.Find("[data-testid='show-changed']").Click();
                    page.WaitForElement("[data-testid='changed-content']");
                }
                data = DataOf(page, RecordData);
                return BurmeseText.Of(page).ToList();
            });

            BurmeseText.AssertBurmeseBeyond(texts, [.. data, .. await FacilityNamesAsync()], $"the {verdict} record");
        }
    }

    [Fact]
    public async Task HealthSummary_UnderBurmese_ShowsNoEnglishBeyondTheRecords()
    {
        await SignInAsync();
        Render<MudPopoverProvider>();

        List<string> data = [];
        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<HealthSummaryPage>();
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='summary-allergy']")), TimeSpan.FromSeconds(20));
            Assert.NotEmpty(page.FindAll("[data-testid='result-trend-chart']"));
            Assert.NotEmpty(page.FindAll("[data-testid='summary-not-included-record']"));
            data = DataOf(page, SummaryData);
            return BurmeseText.Of(page).ToList();
        });

        // The reference ranges as the records give them ("12–16 g/dL"), written inside the page's own sentence.
        var user = (await Services.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>().GetAuthenticationStateAsync()).User;
        var summary = await Services.GetRequiredService<HealthSummaries>().MineAsync(user);
        var ranges = summary.Results.Concat(summary.VitalSigns).Select(t => t.RangeText).OfType<string>();
        BurmeseText.AssertBurmeseBeyond(texts, [.. data, .. ranges, .. await FacilityNamesAsync()], "the health summary");
    }

    [Fact]
    public void FhirRecordView_UnderBurmese_EveryKindOfRecord_ShowsNoEnglishBeyondItsContent()
    {
        const string mpi = "MPI-TEST-0001";
        Hl7.Fhir.Model.Resource[] records =
        [
            SampleFhir.Encounter(mpi), SampleFhir.Condition(mpi), SampleFhir.Prescription(mpi), SampleFhir.Glucose(mpi),
            SampleFhir.Potassium(mpi), SampleFhir.Note(mpi), SampleFhir.LabReport(mpi), SampleFhir.ClinicVisit(mpi),
        ];
        List<string> data = [];
        var texts = BurmeseText.UnderBurmese(() => [.. records.SelectMany(record =>
        {
            var view = Render<FhirRecordView>(p => p.Add(v => v.Resource, record));
            data.AddRange(DataOf(view, RecordData));
            return BurmeseText.Of(view);
        })]);

        BurmeseText.AssertBurmeseBeyond(texts, data, "the record view");
    }

    private async Task SignInAsync()
    {
        var aye = DemoData.Patients[0];
        Auth.SetAuthorized(aye.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies([PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi]);
        Auth.SetClaims(await node.Node.Database.ClaimsOfAsync(aye.Email));
    }

    private async Task<string[]> FacilityNamesAsync()
    {
        await using var db = node.Node.Database.CreateContext();
        return await db.Facilities.Select(f => f.Name).ToArrayAsync();
    }

    private static List<string> DataOf<T>(IRenderedComponent<T> page, string selectors) where T : Microsoft.AspNetCore.Components.IComponent =>
        [.. page.FindAll(selectors).Select(e => e.TextContent.Trim())];
}
