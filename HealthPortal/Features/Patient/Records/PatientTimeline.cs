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
    public string? RetractionText => Retraction is { } r
        ? $"Retracted by {FacilityName} on {DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp).UtcDateTime.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"))} — {HealthPortal.Features.Retractions.RetractionWords.ForPatient(r.Reason)}"
        : null;

    /// <summary>The facility's one-line summary, only when the content is the anchored one: an altered record's words are not trusted.</summary>
    public string? TrustedSummary => Integrity == RecordIntegrity.Verified ? Verified.Record?.Summary : null;
}

/// <summary>
/// A patient's records across every facility, newest first. <see cref="Mpi"/> is null when the patient has no MPI
/// number yet (no key registered), in which case there can be no anchored records.
/// <see cref="Entries"/> are the records that stand (what is summarised, exported and shared); <see cref="Retracted"/>
/// the ones their facility withdrew, shown on the timeline as a notice in their place and never shared.
/// </summary>
public sealed record PatientTimeline(string? Mpi, IReadOnlyList<TimelineEntry> Entries, IReadOnlyList<TimelineEntry>? Retracted = null)
{
    public static readonly PatientTimeline NotRegistered = new(null, []);

    /// <summary>Standing and retracted records together, newest first, for the timeline itself.</summary>
    public IReadOnlyList<TimelineEntry> Shown => Retracted is not { Count: > 0 } retracted ? Entries
        : [.. Entries.Concat(retracted).OrderByDescending(e => e.Date).ThenByDescending(e => e.Anchor.Height).ThenByDescending(e => e.Anchor.Index)];

    /// <summary>The facilities that appear on the timeline, for the facility filter (id, name), by name.</summary>
    public IReadOnlyList<(string Id, string Name)> Facilities =>
        Shown.Select(e => (e.Anchor.Facility, e.FacilityName)).Distinct().OrderBy(f => f.FacilityName, StringComparer.CurrentCultureIgnoreCase).ToList();

    public int Count(RecordIntegrity integrity) => Entries.Count(e => e.Integrity == integrity);
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
