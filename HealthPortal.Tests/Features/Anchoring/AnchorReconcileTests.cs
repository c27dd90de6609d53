using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>
/// Issue 17: a confirmation's database work is set-wise (one <c>UPDATE</c> of the rows per block, one of the save,
/// conditional on it still being pending) instead of a tracked graph saved row by row. Every row still gets its block,
/// and when several callers reconcile the same save at once exactly one of them marks it anchored.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AnchorReconcileTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    [Fact]
    public async Task Confirm_OfASaveOfTwelveRecords_WritesEveryRowsBlockAndTheSaveOnce()
    {
        var patient = await portal.RegisteredPatientAsync();
        var records = Enumerable.Range(0, 12).Select(_ => AnchorKit.Encounter(Lakeview, patient.Mpi!)).ToArray();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, records);

        var outcome = await portal.ConfirmAsync(patient, prepared.Id);

        Assert.True(outcome.Succeeded, outcome.Error);
        var stored = await portal.QueryAsync(db => db.AnchorConfirmations.AsNoTracking().Include(c => c.Records).SingleAsync(c => c.Id == prepared.Id));
        Assert.Equal(AnchorStatus.Anchored, stored.Status);
        Assert.NotNull(stored.AnchoredAt);
        Assert.Null(stored.Problem);
        Assert.Equal(12, stored.Records.Count);
        var heights = stored.Records.Select(r => Host.Engine.Store.FindRecord(prepared.FacilityNodeId, r.RecordId)!.Height).ToList();
        Assert.Equal(heights, stored.Records.Select(r => r.BlockHeight!.Value));
        Assert.Equal(heights.Max(), stored.BlockHeight);
        Assert.Equal(heights.Max(), outcome.Height);
    }

    [Fact]
    public async Task OnTheLedgerButNotInTheDatabase_ListsAndConfirmsAtOnce_MarkItAnchoredExactlyOnce()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!), AnchorKit.Encounter(Lakeview, patient.Mpi!), AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var signatures = await portal.SignAllAsync(patient, prepared.Id);
        Assert.True((await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures))).Succeeded);
        // A crash between the ledger's commit and the database's update: the anchors are in blocks, the save still pending.
        await portal.QueryAsync(async db =>
        {
            await db.Set<AnchorConfirmationRecord>().Where(r => r.ConfirmationId == prepared.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.BlockHeight, (long?)null));
            return await db.AnchorConfirmations.Where(c => c.Id == prepared.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, AnchorStatus.Pending).SetProperty(c => c.BlockHeight, (long?)null).SetProperty(c => c.AnchoredAt, (DateTimeOffset?)null));
        });
        var staff = await portal.StaffOfAsync(Lakeview);
        var anchoredEvents = 0;
        void Count(AnchorChange change)
        {
            if (change.Id == prepared.Id && change.Status == AnchorStatus.Anchored) Interlocked.Increment(ref anchoredEvents);
        }
        var events = portal.Services.GetRequiredService<AnchorEvents>();
        events.Changed += Count;
        try
        {
            // The patient's list, the staff's view and two tabs confirming all find the save behind the ledger at once.
            var lists = Enumerable.Range(0, 3).Select(_ => Task.Run(() => portal.Workflow(w => w.WaitingForMeAsync(patient.Principal))));
            var views = Enumerable.Range(0, 3).Select(_ => Task.Run(() => portal.Workflow(w => w.ForFacilityAsync(staff, prepared.Id))));
            var confirms = Enumerable.Range(0, 2).Select(_ => Task.Run(() => portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures)))).ToList();
            await Task.WhenAll([.. lists, .. views, .. confirms]);

            var heights = prepared.Records.Select(r => Host.Engine.Store.FindRecord(prepared.FacilityNodeId, r.RecordId)!.Height).ToList();
            Assert.All(confirms, c => Assert.True(c.Result.Succeeded, c.Result.Error));
            Assert.All(confirms, c => Assert.Equal(heights.Max(), c.Result.Height));
            Assert.Equal(1, anchoredEvents);
            var stored = await portal.QueryAsync(db => db.AnchorConfirmations.AsNoTracking().Include(c => c.Records).SingleAsync(c => c.Id == prepared.Id));
            Assert.Equal(AnchorStatus.Anchored, stored.Status);
            Assert.Equal(heights.Max(), stored.BlockHeight);
            Assert.Equal(heights, stored.Records.OrderBy(r => r.Position).Select(r => r.BlockHeight!.Value));
        }
        finally
        {
            events.Changed -= Count;
        }
    }
}
