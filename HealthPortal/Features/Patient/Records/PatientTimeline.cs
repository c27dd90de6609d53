using System.Globalization;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Patient.Records;

/// <summary>One anchored record on the patient's timeline: its anchor, what its facility serves now, and the verdict.</summary>
public sealed record TimelineEntry(VerifiedRecord Verified, string FacilityName)
{
    public RecordEntry Anchor => Verified.Anchor;
    public RecordIntegrity Integrity => Verified.Integrity;
    public string Kind => Anchor.Category;
    public string TxId => Anchor.TxId;

    /// <summary>The record's clinical date as anchored (the ledger validated its yyyy-MM-dd form).</summary>
    public DateOnly Date => DateOnly.ParseExact(Anchor.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public DateTimeOffset AnchoredAt => DateTimeOffset.FromUnixTimeMilliseconds(Anchor.Timestamp);

    /// <summary>How many versions the record has had (1 when never corrected); only the current one is on the timeline.</summary>
    public int Versions { get; init; } = 1;

    /// <summary>
    /// Set when the facility retracted the record (<c>record.retract</c>): the timeline shows who, when and why in its
    /// place, and nothing of its content (it may be another patient's).
    /// </summary>
    public RetractionEntry? Retraction { get; init; }

    public bool IsRetracted => Retraction is not null;

    /// <summary>"Retracted by Northgate General Hospital on 7 Dec 2026 — filed under the wrong patient".</summary>
    /// <remarks>In the reader's language (TimelineEntry.resx / .my.resx), the date day first with their month names.</remarks>
    public string? RetractionText => Retraction is { } r
        ? Words.Format("RetractedBy", FacilityName,
            DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp).UtcDateTime.ToString("d MMM yyyy", HealthPortal.Features.Times.UserTime.Culture),
            HealthPortal.Features.Retractions.RetractionWords.ForPatient(r.Reason))
        : null;

    private static readonly HealthPortal.Features.Words.ResourceWords Words = new(typeof(TimelineEntry));

    /// <summary>The facility's one-line summary, only when the content is the anchored one: an altered record's words are not trusted.</summary>
    public string? TrustedSummary => !IsVerifying && Integrity == RecordIntegrity.Verified ? Verified.Record?.Summary : null;

    /// <summary>
    /// Listed from the ledger but not yet fetched and checked (the records page verifies in the background): there is no
    /// verdict yet, so <see cref="Integrity"/> says nothing and the page shows "Verifying…". Only
    /// <see cref="TimelineVerification"/> makes such entries; every other reader gets verdicts only.
    /// </summary>
    public bool IsVerifying { get; init; }

    /// <summary>The row of <paramref name="anchor"/> before its check: nothing fetched, nothing of its content known.</summary>
    public static TimelineEntry Verifying(RecordEntry anchor, string facilityName) =>
        new(new VerifiedRecord(anchor, RecordIntegrity.Unavailable, null, null, "not checked yet"), facilityName) { IsVerifying = true };
}

/// <summary>
/// A patient's records across every facility, newest first. <see cref="Mpi"/> is null when the patient has no MPI
/// number yet (no key registered), in which case there can be no anchored records.
/// <see cref="Entries"/> are the records that stand (what is summarised, exported and shared); <see cref="Retracted"/>
/// the ones their facility withdrew, shown on the timeline as a notice in their place and never shared.
/// </summary>
public sealed record PatientTimeline(string? Mpi, IReadOnlyList<TimelineEntry> Entries, IReadOnlyList<TimelineEntry>? Retracted = null)
{
    /// <summary>Set when the number was merged into another without its holder's signature: the page says so, and only the number's own records are here.</summary>
    public MergedAway? MergedAway { get; init; }

    public static readonly PatientTimeline NotRegistered = new(null, []);

    /// <summary>Standing and retracted records together, newest first, for the timeline itself.</summary>
    public IReadOnlyList<TimelineEntry> Shown => Retracted is not { Count: > 0 } retracted ? Entries
        : [.. Entries.Concat(retracted).OrderByDescending(e => e.Date).ThenByDescending(e => e.Anchor.Height).ThenByDescending(e => e.Anchor.Index)];

    /// <summary>The facilities that appear on the timeline, for the facility filter (id, name), by name.</summary>
    public IReadOnlyList<(string Id, string Name)> Facilities =>
        Shown.Select(e => (e.Anchor.Facility, e.FacilityName)).Distinct().OrderBy(f => f.FacilityName, StringComparer.CurrentCultureIgnoreCase).ToList();

    /// <summary>Standing records with this verdict (a record still being checked has none).</summary>
    public int Count(RecordIntegrity integrity) => Entries.Count(e => !e.IsVerifying && e.Integrity == integrity);

    /// <summary>Standing records whose check is not in yet (only while the records page is still verifying).</summary>
    public int Verifying => Entries.Count(e => e.IsVerifying);
}

/// <summary>What the patient narrowed the timeline to; a null part does not filter. Dates are inclusive.</summary>
public sealed record TimelineFilter(string? FacilityId = null, string? Kind = null, DateOnly? From = null, DateOnly? To = null)
{
    public static readonly TimelineFilter None = new();

    public bool IsEmpty => this == None;

    public bool Matches(TimelineEntry entry) =>
        (FacilityId is null || entry.Anchor.Facility == FacilityId)
        && (Kind is null || entry.Kind == Kind)
        && (From is null || entry.Date >= From)
        && (To is null || entry.Date <= To);

    public IReadOnlyList<TimelineEntry> Apply(IEnumerable<TimelineEntry> entries) => entries.Where(Matches).ToList();
}

/// <summary>
/// The account's MPI number was retired into <see cref="Survivor"/> by a <c>patient.merge</c> its holder never signed
/// (no keys carried): the account reads only what was anchored under its own number, not the survivor's records
/// (<see cref="HealthPortal.Ledger.Reading.LedgerReader.NumbersReadBy"/>), and its pages say why and what to do.
/// </summary>
public sealed record MergedAway(string Mpi, string Survivor, string FacilityName, DateTimeOffset MergedAt)
{
    /// <summary>The notice for <paramref name="mpi"/>, or null when it stands on its own or its holder signed the merge.</summary>
    public static MergedAway? Of(HealthPortal.Ledger.Reading.LedgerReader reader, string mpi, HealthPortal.Features.Facilities.FacilityNames.Lookup names)
    {
        if (reader.StandingMerge(mpi) is not { } merge) return null;
        var survivor = reader.Survivor(mpi);
        return reader.KeysCarriedTo(mpi, survivor) ? null
            : new MergedAway(mpi, survivor, names[merge.Facility], DateTimeOffset.FromUnixTimeMilliseconds(merge.MergedAt));
    }

    /// <summary>"Your MPI number X was merged into Y by Northgate General Hospital on 7 Dec 2026 …" — plain words for the patient.</summary>
    /// <remarks>In the reader's language (MergedAway.resx / .my.resx).</remarks>
    public string Text => Words.Format("Text", Mpi, Survivor, FacilityName, MergedAt.UtcDateTime.ToString("d MMM yyyy", HealthPortal.Features.Times.UserTime.Culture));

    private static readonly HealthPortal.Features.Words.ResourceWords Words = new(typeof(MergedAway));
}
