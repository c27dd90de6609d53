using HealthPortal.Features.Records;

namespace HealthPortal.Features.Patient.Records;

/// <summary>
/// The records page's timeline while its records are being checked (issue 17: a patient with a thousand records must see
/// the first screen at once). Every row is listed from the <see cref="TimelineIndex"/> from the start, so counts,
/// filters and paging are exact at any time; a row's verdict is filled in when its record has been fetched from its
/// facility and compared with its anchor (<see cref="RecordVerifier.VerifyManyAsync"/>, the store's bytes as read at
/// that moment — nothing is cached), and until then the row says it is being verified, never a guessed verdict.
/// </summary>
/// <remarks>
/// <see cref="FirstAsync"/> checks the newest screen and is awaited before the page renders; <see cref="RestAsync"/> then
/// checks the others in batches, the rows the reader is looking at (<see cref="Prioritize"/>) before the rest, and
/// publishes a new <see cref="Timeline"/> after each batch. One caller at a time runs the checks (the page's circuit);
/// <see cref="Timeline"/> is an immutable snapshot, so the page may read it from its own thread while a batch runs.
/// </remarks>
public sealed class TimelineVerification
{
    /// <summary>The records of the first screen, checked before the page shows anything.</summary>
    public const int FirstScreen = 50;

    /// <summary>
    /// Records checked per background batch: <see cref="RecordVerifier"/> fetches a facility's records 50 at a time, four
    /// fetches at once, so 200 keeps it busy while the page is told of progress a few times a second.
    /// </summary>
    public const int Batch = 200;

    private readonly TimelineIndex index;
    private readonly RecordVerifier verifier;
    private readonly TimelineEntry[] entries;
    private readonly Dictionary<string, int> positions;
    private volatile PatientTimeline timeline;
    private volatile string[] wanted = [];
    private int checkedCount;

    public TimelineVerification(TimelineIndex index, RecordVerifier verifier)
    {
        this.index = index;
        this.verifier = verifier;
        entries = [.. index.Anchors.Select(index.Verifying)];
        positions = index.Anchors.Select((a, i) => (a.TxId, i)).ToDictionary(p => p.TxId, p => p.i, StringComparer.Ordinal);
        timeline = index.Timeline([.. entries]);
    }

    /// <summary>The timeline as far as it is checked now (rows not yet checked are <see cref="TimelineEntry.IsVerifying"/>).</summary>
    public PatientTimeline Timeline => timeline;

    /// <summary>How many standing records there are, and how many of them have their verdict.</summary>
    public int Total => entries.Length;

    public int Checked => Volatile.Read(ref checkedCount);

    public bool IsComplete => Checked == Total;

    /// <summary>
    /// The rows the reader is looking at now (a filtered page further down, say): the next batch checks those of them
    /// still unchecked before going on in timeline order. Safe to call from the page's thread while a batch runs.
    /// </summary>
    public void Prioritize(IEnumerable<string> txIds) => wanted = [.. txIds];

    /// <summary>Checks the newest <paramref name="count"/> records (the first screen).</summary>
    public Task FirstAsync(int count = FirstScreen, CancellationToken ct = default) =>
        CheckAsync([.. Enumerable.Range(0, Math.Min(count, entries.Length)).Where(i => entries[i].IsVerifying)], ct);

    /// <summary>
    /// Checks every record not yet checked, <see cref="Batch"/> at a time, and calls <paramref name="onBatch"/> after each
    /// batch has been published. Stops with <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled
    /// (the page was left): what was checked stays, the rest stays unchecked.
    /// </summary>
    public async Task RestAsync(Func<Task> onBatch, CancellationToken ct = default)
    {
        var next = 0; // every row before this one in timeline order is checked
        while (!IsComplete)
        {
            ct.ThrowIfCancellationRequested();
            var batch = new List<int>(Batch);
            foreach (var txId in wanted)
                if (batch.Count < Batch && positions.TryGetValue(txId, out var i) && entries[i].IsVerifying && !batch.Contains(i)) batch.Add(i);
            for (; batch.Count < Batch && next < entries.Length; next++)
                if (entries[next].IsVerifying && !batch.Contains(next)) batch.Add(next);
            // Rows taken out of order above may sit after `next`; they are skipped there because they are checked by then.
            if (batch.Count == 0) break;
            await CheckAsync(batch, ct);
            await onBatch();
        }
    }

    private async Task CheckAsync(IReadOnlyList<int> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var verified = await verifier.VerifyManyAsync([.. rows.Select(i => index.Anchors[i])], ct);
        for (var k = 0; k < rows.Count; k++) entries[rows[k]] = index.Entry(verified[k]);
        Interlocked.Add(ref checkedCount, rows.Count);
        // A new snapshot per batch (a thousand references): the page never sees a half-written one.
        timeline = index.Timeline([.. entries]);
    }
}
