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
/// The demo node with 70 records anchored for the first demo patient (more than one screen): every fourth at the
/// laboratory, the others at the hospital, one a day back from 1 May 2026, and the 61st newest changed at its facility
/// since it was anchored (beyond the first screen, so only the background check can find it).
/// </summary>
public sealed class LongTimelineNode : IAsyncLifetime
{
    public const int Count = 70;
    public const int ChangedPosition = 60;

    public NetworkTestNode Node { get; } = new();
    public FakeRecordFetcher Stores { get; } = new();

    /// <summary>The records newest first, with their anchoring transaction.</summary>
    public List<(EhrRecord Record, string TxId)> Newest { get; } = [];

    public async Task InitializeAsync()
    {
        await Node.InitializeAsync();
        var aye = DemoData.Patients[0];
        await using var db = Node.Database.CreateContext();
        var user = await db.Users.SingleAsync(u => u.Email == aye.Email);
        var mpi = (await db.PatientProfiles.SingleAsync(p => p.UserId == user.Id)).MpiNumber!;
        var patientKey = Node.Ledger.Keys.Get(DemoData.DemoPatientKeyName(user.Id));
        string NodeOf(string facility) => Node.Ledger.Keys.Get(HealthPortal.Features.Ledger.ServerKeyVault.FacilityNode(facility)).Id;

        var records = Enumerable.Range(0, Count).Select(i => i % 4 == 3
                ? Anchoring.Record(NodeOf("demo-northgate"), mpi, RecordKinds.LabResult, new DateOnly(2026, 5, 1).AddDays(-i), SampleFhir.Glucose(mpi), $"Glucose {i}")
                : Anchoring.Record(NodeOf("demo-riverside"), mpi, RecordKinds.Encounter, new DateOnly(2026, 5, 1).AddDays(-i), SampleFhir.Encounter(mpi), $"Visit {i}"))
            .ToList();
        // Submitted together: they share a few blocks instead of waiting for one each.
        var txIds = await Task.WhenAll(records.Select(r => Anchoring.AnchorAsync(Node.Ledger, r.FacilityId == NodeOf("demo-northgate") ? "demo-northgate" : "demo-riverside", r, tx => tx.SignWith(patientKey))));
        foreach (var (record, txId) in records.Zip(txIds))
        {
            Stores.Serve(record);
            Newest.Add((record, txId));
        }
        Stores.Change(records[ChangedPosition], SampleFhir.Encounter(mpi, id: "changed-at-the-hospital"));
    }

    public Task DisposeAsync() => Node.DisposeAsync();
}

/// <summary>
/// The records page with more records than one screen: the newest screen shown checked at once, the others listed and
/// marked as being verified with the progress shown, paging through them before their checks are in, each row taking
/// its verdict when the background check reaches it, and the checks stopped when the page is left.
/// </summary>
public sealed class MyRecordsStreamingTests(LongTimelineNode node) : PortalComponentTest, IClassFixture<LongTimelineNode>
{
    private HeldRecordFetcher fetcher = null!;

    protected override Task ConfigureAsync()
    {
        fetcher = new HeldRecordFetcher(node.Stores);
        // Every record after the first screen waits until the test lets its facility answer.
        fetcher.Hold(node.Newest.Skip(TimelineVerification.FirstScreen).Select(n => n.Record.RecordId));
        node.Node.AddTo(Services);
        Services.AddSingleton<IRecordFetcher>(fetcher);
        Services.AddScoped<RecordVerifier>();
        Services.AddScoped<PatientRecords>();
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        return Task.CompletedTask;
    }

    private async Task<IRenderedComponent<MyRecords>> OpenAsync()
    {
        var aye = DemoData.Patients[0];
        Auth.SetAuthorized(aye.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies([PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi]);
        Auth.SetClaims(await node.Node.Database.ClaimsOfAsync(aye.Email));
        Render<MudPopoverProvider>();
        var page = Render<MyRecords>();
        page.WaitForAssertion(() => Assert.Equal(TimelineVerification.FirstScreen, page.FindAll("[data-testid='timeline-row']").Count), TimeSpan.FromSeconds(20));
        return page;
    }

    private static void GoToPage(IRenderedComponent<MyRecords> page, int number) =>
        page.FindAll("[data-testid='records-pages'] button").Single(b => b.TextContent.Trim() == number.ToString(System.Globalization.CultureInfo.InvariantCulture)).Click();

    [Fact]
    public async Task FirstScreen_IsCheckedAtOnce_TheRestListedAsVerifying_WithProgress()
    {
        var page = await OpenAsync();

        var rows = page.FindAll("[data-testid='timeline-row']");
        Assert.Equal(node.Newest.Take(TimelineVerification.FirstScreen).Select(n => n.TxId), rows.Select(r => r.GetAttribute("data-txid")));
        Assert.All(rows, r => Assert.Equal("Verified", r.GetAttribute("data-integrity")));
        Assert.Equal($"{LongTimelineNode.Count} of {LongTimelineNode.Count} records", page.Find("[data-testid='records-count']").TextContent.Trim());
        Assert.Contains($"Verified 50 of {LongTimelineNode.Count} against the ledger", page.Find("[data-testid='records-progress-text']").TextContent);
        Assert.Contains("20 still being checked", page.Find("[data-testid='records-still-verifying']").TextContent);
        Assert.Empty(page.FindAll("[data-testid='altered-warning']"));
        Assert.Equal(TimelineVerification.FirstScreen, fetcher.Fetched);
    }

    [Fact]
    public async Task NextPage_BeforeItsChecks_ListsEveryRow_WithoutAVerdict_ThenEachTakesItsVerdict()
    {
        var page = await OpenAsync();

        GoToPage(page, 2);

        page.WaitForAssertion(() => Assert.Equal(LongTimelineNode.Count - 50, page.FindAll("[data-testid='timeline-row']").Count));
        var rows = page.FindAll("[data-testid='timeline-row']");
        Assert.Equal(node.Newest.Skip(50).Select(n => n.TxId), rows.Select(r => r.GetAttribute("data-txid")));
        Assert.All(rows, r => Assert.Equal("Verifying", r.GetAttribute("data-integrity")));
        Assert.All(page.FindAll("[data-testid='integrity-chip']"), c => Assert.Equal("Verifying…", c.TextContent.Trim()));
        Assert.All(page.FindAll("[data-testid='record-summary']"), s => Assert.Equal("Being checked against the ledger…", s.TextContent.Trim()));
        Assert.DoesNotContain("Visit 5", page.Markup); // no summary of a record before its check (Visit 50 onwards are here)

        fetcher.Release();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid='records-progress']")), TimeSpan.FromSeconds(20));
        rows = page.FindAll("[data-testid='timeline-row']");
        var changedTx = node.Newest[LongTimelineNode.ChangedPosition].TxId;
        Assert.Equal("Altered", rows.Single(r => r.GetAttribute("data-txid") == changedTx).GetAttribute("data-integrity"));
        Assert.All(rows.Where(r => r.GetAttribute("data-txid") != changedTx), r => Assert.Equal("Verified", r.GetAttribute("data-integrity")));
        Assert.NotNull(page.Find("[data-testid='altered-warning']"));
        Assert.Contains("1 altered", page.Find("[data-testid='records-summary']").TextContent);
        Assert.Empty(page.FindAll("[data-testid='records-still-verifying']"));
    }

    [Fact]
    public async Task LeavingThePage_StopsTheChecks()
    {
        await OpenAsync();

        await DisposeComponentsAsync();
        fetcher.Release();
        await Task.Delay(300);

        Assert.Equal(TimelineVerification.FirstScreen, fetcher.Fetched);
    }
}
