using HealthPortal.Features.Facilities;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>
/// <see cref="TimelineVerification"/>, the records page's order of work: every row listed at once, the newest screen
/// checked first, the rest in batches (the rows the reader looks at before the others), filters exact while checks are
/// still running, and never a verdict before the record was fetched.
/// </summary>
public sealed class TimelineVerificationTests
{
    private const string Hospital = "node-hospital";
    private const string Laboratory = "node-lab";
    private const string Mpi = "MPI-TEST-1";

    private readonly FakeRecordFetcher stores = new();

    /// <summary>
    /// <paramref name="count"/> records, the i-th the i-th newest (one a day back from 2026-06-01), every third one at the
    /// laboratory, each anchored as served; the index lists them as the page gets them from the ledger.
    /// </summary>
    private (TimelineIndex Index, List<EhrRecord> Records) Timeline(int count)
    {
        var records = new List<EhrRecord>();
        var anchors = new List<RecordEntry>();
        for (var i = 0; i < count; i++)
        {
            var facility = i % 3 == 2 ? Laboratory : Hospital;
            var date = new DateOnly(2026, 6, 1).AddDays(-i);
            var record = Anchoring.Record(facility, Mpi, facility == Laboratory ? RecordKinds.LabResult : RecordKinds.Encounter, date,
                SampleFhir.Encounter(Mpi, id: $"enc-{i}"));
            stores.Serve(record);
            records.Add(record);
            anchors.Add(new RecordEntry(facility, record.RecordId, Mpi, record.Kind, record.DateText, record.Hash, RecordLink.Of(record), $"tx-{i}", count - i, 0, 0));
        }
        var names = new FacilityNames.Lookup(new Dictionary<string, string> { [Hospital] = "Riverside", [Laboratory] = "Northgate" }, new Dictionary<string, string>(), null!);
        // The ledger hands anchors over in its own order; the index puts them in timeline order.
        return (new TimelineIndex(Mpi, TimelineIndex.Ordered(anchors.AsEnumerable().Reverse()), [], names, null), records);
    }

    private static TimelineVerification Verification(TimelineIndex index, IRecordFetcher fetcher) => new(index, new RecordVerifier(fetcher));

    [Fact]
    public void Index_ListsEveryRecordNewestFirst_BeforeAnythingIsFetched()
    {
        var (index, records) = Timeline(120);
        var fetcher = new HeldRecordFetcher(stores);

        var verification = Verification(index, fetcher);

        Assert.Equal(records.Select(r => r.RecordId), verification.Timeline.Entries.Select(e => e.Anchor.RecordId));
        Assert.All(verification.Timeline.Entries, e => Assert.True(e.IsVerifying));
        Assert.Equal(0, fetcher.Fetched);
        Assert.Equal(0, verification.Checked);
        Assert.Equal(0, verification.Timeline.Count(RecordIntegrity.Verified) + verification.Timeline.Count(RecordIntegrity.Unavailable));
    }

    [Fact]
    public async Task First_ChecksTheNewestScreenOnly()
    {
        var (index, _) = Timeline(120);
        var fetcher = new HeldRecordFetcher(stores);
        var verification = Verification(index, fetcher);

        await verification.FirstAsync();

        Assert.Equal(TimelineVerification.FirstScreen, fetcher.Fetched);
        Assert.Equal(TimelineVerification.FirstScreen, verification.Checked);
        var entries = verification.Timeline.Entries;
        Assert.All(entries.Take(TimelineVerification.FirstScreen), e => Assert.Equal((false, RecordIntegrity.Verified), (e.IsVerifying, e.Integrity)));
        Assert.All(entries.Skip(TimelineVerification.FirstScreen), e => Assert.True(e.IsVerifying));
        Assert.Equal(70, verification.Timeline.Verifying);
        Assert.Equal(TimelineVerification.FirstScreen, verification.Timeline.Count(RecordIntegrity.Verified));
    }

    [Fact]
    public async Task Rest_ChecksTheOthersInBatches_PublishingProgressAfterEach()
    {
        var (index, _) = Timeline(500);
        var verification = Verification(index, stores);
        await verification.FirstAsync();
        var progress = new List<(int Checked, int Verified)>();

        await verification.RestAsync(() =>
        {
            progress.Add((verification.Checked, verification.Timeline.Count(RecordIntegrity.Verified)));
            return Task.CompletedTask;
        });

        Assert.Equal([(250, 250), (450, 450), (500, 500)], progress);
        Assert.True(verification.IsComplete);
        Assert.All(verification.Timeline.Entries, e => Assert.Equal((false, RecordIntegrity.Verified), (e.IsVerifying, e.Integrity)));
    }

    [Fact]
    public async Task Rest_ChecksTheRowsTheReaderLooksAtFirst()
    {
        var (index, _) = Timeline(500);
        var verification = Verification(index, stores);
        await verification.FirstAsync();
        // The reader went to the last page (rows 450-499) before the background got there.
        var lastPage = index.Anchors.Skip(450).Select(a => a.TxId).ToList();
        verification.Prioritize(lastPage);
        var afterFirstBatch = new List<TimelineEntry>();

        await verification.RestAsync(() =>
        {
            if (afterFirstBatch.Count == 0) afterFirstBatch.AddRange(verification.Timeline.Entries);
            return Task.CompletedTask;
        });

        Assert.All(afterFirstBatch.Skip(450), e => Assert.False(e.IsVerifying));
        Assert.Equal(TimelineVerification.FirstScreen + TimelineVerification.Batch, afterFirstBatch.Count(e => !e.IsVerifying));
        Assert.True(afterFirstBatch[TimelineVerification.FirstScreen].IsVerifying is false, "the rest of the batch goes on in timeline order");
        Assert.True(verification.IsComplete);
    }

    [Fact]
    public async Task Filter_WhileChecksRun_FindsEveryMatchingRow_WithoutAVerdictForTheUnchecked()
    {
        var (index, records) = Timeline(300);
        var fetcher = new HeldRecordFetcher(stores);
        fetcher.Hold(records.Skip(TimelineVerification.FirstScreen).Select(r => r.RecordId));
        var verification = Verification(index, fetcher);
        await verification.FirstAsync();
        var rest = verification.RestAsync(() => Task.CompletedTask);

        var labOnly = new TimelineFilter(FacilityId: Laboratory).Apply(verification.Timeline.Shown);

        Assert.Equal(100, labOnly.Count);
        Assert.Equal(records.Where(r => r.FacilityId == Laboratory).Select(r => r.RecordId), labOnly.Select(e => e.Anchor.RecordId));
        Assert.Equal(16, labOnly.Count(e => !e.IsVerifying)); // the laboratory's rows among the newest 50
        Assert.All(labOnly.Where(e => e.IsVerifying), e => Assert.Null(e.TrustedSummary));
        Assert.False(rest.IsCompleted);

        fetcher.Release();
        await rest;
        Assert.All(new TimelineFilter(FacilityId: Laboratory).Apply(verification.Timeline.Shown), e => Assert.Equal(RecordIntegrity.Verified, e.Integrity));
    }

    [Fact]
    public async Task Rest_ARecordChangedBeyondTheFirstScreen_IsAltered()
    {
        var (index, records) = Timeline(120);
        stores.Change(records[97], SampleFhir.Encounter(Mpi, id: "changed"));
        var verification = Verification(index, stores);

        await verification.FirstAsync();
        Assert.True(verification.Timeline.Entries[97].IsVerifying);
        Assert.Equal(0, verification.Timeline.Count(RecordIntegrity.Altered));
        await verification.RestAsync(() => Task.CompletedTask);

        Assert.Equal(RecordIntegrity.Altered, verification.Timeline.Entries[97].Integrity);
        Assert.Equal(119, verification.Timeline.Count(RecordIntegrity.Verified));
    }

    [Fact]
    public async Task Rest_Cancelled_StopsWithTheUncheckedStillUnchecked()
    {
        var (index, records) = Timeline(300);
        var fetcher = new HeldRecordFetcher(stores);
        fetcher.Hold(records.Skip(TimelineVerification.FirstScreen).Select(r => r.RecordId));
        var verification = Verification(index, fetcher);
        await verification.FirstAsync();
        using var leaving = new CancellationTokenSource();

        var rest = verification.RestAsync(() => Task.CompletedTask, leaving.Token);
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rest);
        Assert.Equal(TimelineVerification.FirstScreen, verification.Checked);
        Assert.Equal(250, verification.Timeline.Verifying);
    }
}
