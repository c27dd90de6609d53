using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>
/// The demo node (database and ledger) with three records anchored for the first demo patient: one served as
/// anchored, one changed since, one at a facility that cannot be reached.
/// </summary>
public sealed class TimelineTestNode : IAsyncLifetime
{
    public NetworkTestNode Node { get; } = new();
    public FakeRecordFetcher Fetcher { get; } = new();
    public string VerifiedTx { get; private set; } = "";
    public string AlteredTx { get; private set; } = "";
    public string UnavailableTx { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Node.InitializeAsync();
        var aye = DemoData.Patients[0];
        await using var db = Node.Database.CreateContext();
        var user = await db.Users.SingleAsync(u => u.Email == aye.Email);
        var mpi = (await db.PatientProfiles.SingleAsync(p => p.UserId == user.Id)).MpiNumber!;
        var patientKey = Node.Ledger.Keys.Get(DemoData.DemoPatientKeyName(user.Id));
        string NodeOf(string facility) => Node.Ledger.Keys.Get(HealthPortal.Features.Ledger.ServerKeyVault.FacilityNode(facility)).Id;

        async Task<(EhrRecord, string)> Anchor(string facility, string kind, DateOnly date, Hl7.Fhir.Model.Resource fhir, string summary)
        {
            var record = Anchoring.Record(NodeOf(facility), mpi, kind, date, fhir, summary);
            var txId = await Anchoring.AnchorAsync(Node.Ledger, facility, record, tx => tx.SignWith(patientKey));
            Fetcher.Serve(record);
            return (record, txId);
        }

        (_, VerifiedTx) = await Anchor("demo-riverside", RecordKinds.Encounter, new DateOnly(2026, 3, 2), SampleFhir.Encounter(mpi), "Admission, Ward 3 — Dr Okafor");
        var (altered, alteredTx) = await Anchor("demo-northgate", RecordKinds.LabResult, new DateOnly(2026, 3, 3), SampleFhir.Glucose(mpi), "Fasting glucose 8 mmol/L");
        AlteredTx = alteredTx;
        Fetcher.Change(altered, SampleFhir.Glucose(mpi, value: 5));
        (_, UnavailableTx) = await Anchor("demo-lakeview", RecordKinds.Encounter, new DateOnly(2026, 3, 1), SampleFhir.ClinicVisit(mpi), "Clinic visit");
        Fetcher.Unreachable(NodeOf("demo-lakeview"));
    }

    public Task DisposeAsync() => Node.DisposeAsync();
}

public sealed class MyRecordsPageTests(TimelineTestNode node) : PortalComponentTest, IClassFixture<TimelineTestNode>
{
    protected override Task ConfigureAsync()
    {
        node.Node.AddTo(Services);
        Services.AddSingleton<IRecordFetcher>(node.Fetcher);
        Services.AddScoped<RecordVerifier>();
        Services.AddScoped<PatientRecords>();
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        return Task.CompletedTask;
    }

    // bUnit's authorization grants policies by name, so "own record" is granted or not per test; the real
    // handler's decision is tested on the app (PatientRecordsTests, PatientRecordEndpointsTests).
    private async Task SignInAsync(DemoData.Patient patient, bool ownsTheRecord = true)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(ownsTheRecord ? [PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi] : [PortalPolicies.PatientPortal]);
        Auth.SetClaims(await node.Node.Database.ClaimsOfAsync(patient.Email));
    }

    [Fact]
    public async Task Timeline_ShowsEachRecordWithItsIntegrity_NewestFirst()
    {
        await SignInAsync(DemoData.Patients[0]);
        Render<MudPopoverProvider>();

        var page = Render<MyRecords>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid='timeline-row']").Count));
        var rows = page.FindAll("[data-testid='timeline-row']");
        Assert.Equal([node.AlteredTx, node.VerifiedTx, node.UnavailableTx], rows.Select(r => r.GetAttribute("data-txid")));
        Assert.Equal(["Altered since anchored", "Verified", "Unavailable"], page.FindAll("[data-testid='integrity-chip']").Select(c => c.TextContent.Trim()));
        Assert.Contains("Admission, Ward 3 — Dr Okafor", rows[1].TextContent);
        Assert.DoesNotContain("Fasting glucose", rows[0].TextContent);
        Assert.Contains("not shown", rows[0].TextContent);
        Assert.NotNull(page.Find("[data-testid='altered-warning']"));
        Assert.Equal($"patient/records/{node.VerifiedTx}/receipt", rows[1].QuerySelector("[data-testid='download-receipt']")!.GetAttribute("href"));
        Assert.Equal("patient/records/export", page.Find("[data-testid='download-all']").GetAttribute("href"));
    }

    [Fact]
    public async Task Timeline_NoRecords_SaysHowRecordsAppear()
    {
        await SignInAsync(DemoData.Patients[1]);

        var page = Render<MyRecords>();

        page.WaitForAssertion(() => Assert.Contains("Records appear here after you confirm a visit", page.Find("[data-testid='records-empty']").TextContent));
        Assert.Empty(page.FindAll("[data-testid='download-all']"));
    }

    [Fact]
    public async Task Detail_VerifiedRecord_ShowsTheRecordAndItsAnchor()
    {
        await SignInAsync(DemoData.Patients[0]);

        var page = Render<RecordDetail>(p => p.Add(d => d.TxId, node.VerifiedTx));

        page.WaitForAssertion(() => Assert.Equal("Verified", page.Find("[data-testid='integrity-chip']").TextContent.Trim()));
        Assert.Contains("Ward 3", page.Find("[data-testid='fhir-record']").TextContent);
        Assert.Equal(node.VerifiedTx, page.Find("[data-testid='anchor-txid']").TextContent);
        Assert.Equal(page.Find("[data-testid='anchored-hash']").TextContent, page.Find("[data-testid='current-hash']").TextContent);
        Assert.Contains("matches", page.Find("[data-testid='hash-match']").TextContent);
    }

    [Fact]
    public async Task Detail_AlteredRecord_HidesItsContentBehindAWarning()
    {
        await SignInAsync(DemoData.Patients[0]);

        var page = Render<RecordDetail>(p => p.Add(d => d.TxId, node.AlteredTx));

        page.WaitForAssertion(() => Assert.Equal("Altered since anchored", page.Find("[data-testid='integrity-chip']").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid='fhir-record']"));
        Assert.Contains("differs", page.Find("[data-testid='hash-match']").TextContent);

        page.Find("[data-testid='show-changed']").Click();

        page.WaitForAssertion(() => Assert.Contains("Not verified", page.Find("[data-testid='changed-content']").TextContent));
    }

    [Fact]
    public async Task Detail_RecordNotTheirs_IsNotShown()
    {
        await SignInAsync(DemoData.Patients[1], ownsTheRecord: false);

        var page = Render<RecordDetail>(p => p.Add(d => d.TxId, node.VerifiedTx));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid='record-not-found']")));
    }
}
