using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patient.Summary;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Features.Patient.Records;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using Task = System.Threading.Tasks.Task;
using RecordAnchoring = HealthPortal.Tests.Features.Patient.Records.Anchoring;

namespace HealthPortal.Tests.Features.Patient.Summary;

/// <summary>
/// The demo node with records anchored for the first demo patient: an admission (problem, medicine, allergy), two
/// laboratory reports months apart (a trend), and one report whose content changed after it was anchored.
/// </summary>
public sealed class SummaryTestNode : IAsyncLifetime
{
    public NetworkTestNode Node { get; } = new();
    public FakeRecordFetcher Fetcher { get; } = new();
    public string AllergyTx { get; private set; } = "";
    public string AlteredTx { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Node.InitializeAsync();
        var aye = DemoData.Patients[0];
        await using var db = Node.Database.CreateContext();
        var user = await db.Users.SingleAsync(u => u.Email == aye.Email);
        var mpi = (await db.PatientProfiles.SingleAsync(p => p.UserId == user.Id)).MpiNumber!;
        var patientKey = Node.Ledger.Keys.Get(DemoData.DemoPatientKeyName(user.Id));
        string NodeOf(string facility) => Node.Ledger.Keys.Get(HealthPortal.Features.Ledger.ServerKeyVault.FacilityNode(facility)).Id;

        async Task<string> Anchor(string facility, EhrRecord written)
        {
            var record = written with { FacilityId = NodeOf(facility) };
            var txId = await RecordAnchoring.AnchorAsync(Node.Ledger, facility, record, tx => tx.SignWith(patientKey));
            Fetcher.Serve(record);
            return txId;
        }

        foreach (var record in SummarySamples.AdmissionRecords(mpi, new DateTime(2026, 1, 14, 22, 5, 0, DateTimeKind.Utc)))
        {
            var tx = await Anchor(SummarySamples.Riverside, record);
            if (record.Kind == RecordKinds.Allergy) AllergyTx = tx;
        }
        await Anchor(SummarySamples.Northgate, SummarySamples.Lab(mpi, new DateTime(2025, 8, 20, 8, 30, 0, DateTimeKind.Utc), ("718-7", 10.6m)));
        await Anchor(SummarySamples.Northgate, SummarySamples.Lab(mpi, new DateTime(2026, 2, 11, 9, 15, 0, DateTimeKind.Utc), ("718-7", 11.4m), ("4548-4", 5.2m)));
        var altered = SummarySamples.Lab(mpi, new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc), ("2345-7", 180m)) with { FacilityId = NodeOf(SummarySamples.Northgate) };
        AlteredTx = await RecordAnchoring.AnchorAsync(Node.Ledger, SummarySamples.Northgate, altered, tx => tx.SignWith(patientKey));
        Fetcher.Change(altered, SummarySamples.Lab(mpi, new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc), ("2345-7", 90m)).Fhir);
    }

    public Task DisposeAsync() => Node.DisposeAsync();
}

public sealed class HealthSummaryPageTests(SummaryTestNode node) : PortalComponentTest, IClassFixture<SummaryTestNode>
{
    protected override Task ConfigureAsync()
    {
        node.Node.AddTo(Services);
        Services.AddSingleton<IRecordFetcher>(node.Fetcher);
        Services.AddScoped<RecordVerifier>();
        Services.AddScoped<PatientRecords>();
        Services.AddScoped<HealthSummaries>();
        Services.TryAddSingleton(TimeProvider.System);
        return Task.CompletedTask;
    }

    private async Task SignInAsync(DemoData.Patient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies([PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi]);
        Auth.SetClaims(await node.Node.Database.ClaimsOfAsync(patient.Email));
    }

    [Fact]
    public async Task Summary_ShowsAllergyProblemMedicineAndResultTrends_EachLinkedToItsAnchoredRecord()
    {
        await SignInAsync(DemoData.Patients[0]);
        Render<MudPopoverProvider>();

        var page = Render<HealthSummaryPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='summary-allergy']")), TimeSpan.FromSeconds(20));
        var allergy = page.Find("[data-testid='summary-allergy']");
        Assert.Contains("Penicillin", allergy.TextContent);
        Assert.Contains("Widespread itchy rash (moderate)", allergy.TextContent);
        Assert.Equal($"patient/records/{node.AllergyTx}", allergy.QuerySelector("[data-testid='summary-source']")!.GetAttribute("href"));
        Assert.Contains("Essential (primary) hypertension", page.Find("[data-testid='summary-problem']").TextContent);
        Assert.Contains("Amlodipine", page.Find("[data-testid='summary-medication']").TextContent);

        var results = page.FindAll("[data-testid='summary-result']");
        Assert.Equal(["Hemoglobin", "Hemoglobin A1c (HbA1c)"], results.Select(r => r.QuerySelector("[data-testid='summary-result-name']")!.TextContent.Trim()));
        var hb = results[0];
        Assert.Equal("11.4 g/dL", hb.QuerySelector("[data-testid='summary-result-latest']")!.TextContent.Trim());
        Assert.Contains("up from 10.6 g/dL", hb.QuerySelector("[data-testid='summary-result-previous']")!.TextContent);
        Assert.Contains("12–17.5 g/dL", hb.QuerySelector("[data-testid='summary-result-range']")!.TextContent);
        Assert.Equal("2", hb.QuerySelector("[data-testid='result-trend-chart']")!.GetAttribute("data-points"));
        Assert.NotNull(hb.QuerySelector("svg"));
        Assert.Equal(2, hb.QuerySelectorAll("[data-testid='summary-result-point']").Length);
        // One value only: no chart, but still its value, range and source.
        Assert.Null(results[1].QuerySelector("[data-testid='result-trend-chart']"));

        // The changed report is named, not used: its glucose of 90 (or 180) appears nowhere as a result.
        var notIncluded = page.Find("[data-testid='summary-not-included-record']");
        Assert.Equal("Altered", notIncluded.GetAttribute("data-integrity"));
        Assert.Equal($"patient/records/{node.AlteredTx}", notIncluded.QuerySelector("a")!.GetAttribute("href"));
        Assert.DoesNotContain("Glucose", page.Find("[data-testid='summary-results']").TextContent);

        Assert.Equal("patient/summary/fhir", page.Find("[data-testid='summary-download']").GetAttribute("href"));
        Assert.Contains("Print / Save as PDF", page.Find("[data-testid='summary-print']").TextContent);
        Assert.Contains("No immunization is recorded", page.Find("[data-testid='summary-immunizations']").TextContent);
    }

    [Fact]
    public async Task Summary_WithoutRecords_SaysSoInEachSection_AndListsNothingAsMissing()
    {
        await SignInAsync(DemoData.Patients[1]);

        var page = Render<HealthSummaryPage>();

        page.WaitForAssertion(() => Assert.Equal(6, page.FindAll("[data-testid='summary-empty']").Count), TimeSpan.FromSeconds(20));
        Assert.Contains("This does not mean that you have none", page.Find("[data-testid='summary-allergies']").TextContent);
        Assert.Empty(page.FindAll("[data-testid='summary-not-included']"));
    }
}
