using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Patient.Records;

/// <summary>
/// A patient's timeline as the ledger alone lists it, before any record is fetched: the standing anchors newest first
/// (date, kind and facility are on the ledger, so counts, filters and paging are exact from here), the retracted ones
/// as their notices, the facilities' names and each record's version count. Cheap: one read of the ledger's
/// per-patient index and of the stores' version links, nothing of any record's content.
/// </summary>
public sealed record TimelineIndex(
    string? Mpi, IReadOnlyList<RecordEntry> Anchors, IReadOnlyList<TimelineEntry> Retracted,
    FacilityNames.Lookup? Names, IReadOnlyDictionary<(string Facility, string RecordId), int>? Versions)
{
    public static readonly TimelineIndex NotRegistered = new(null, [], [], null, null);

    public MergedAway? MergedAway { get; init; }

    /// <summary>Timeline order: the record's clinical date, then its position on the ledger, newest first.</summary>
    public static IReadOnlyList<RecordEntry> Ordered(IEnumerable<RecordEntry> anchors) =>
        [.. anchors.OrderByDescending(a => a.Date, StringComparer.Ordinal).ThenByDescending(a => a.Height).ThenByDescending(a => a.Index)];

    private string NameOf(RecordEntry anchor) => Names![anchor.Facility];

    private int VersionsOf(RecordEntry anchor) => Versions?.GetValueOrDefault((anchor.Facility, anchor.RecordId), 1) ?? 1;

    /// <summary>The timeline entry of a verdict (its anchor is one of <see cref="Anchors"/>).</summary>
    public TimelineEntry Entry(VerifiedRecord verified) => new(verified, NameOf(verified.Anchor)) { Versions = VersionsOf(verified.Anchor) };

    /// <summary>The row of an anchor whose check is not in yet.</summary>
    public TimelineEntry Verifying(RecordEntry anchor) => TimelineEntry.Verifying(anchor, NameOf(anchor)) with { Versions = VersionsOf(anchor) };

    /// <summary>The timeline with these standing entries (in <see cref="Anchors"/>' order) and the retracted notices.</summary>
    public PatientTimeline Timeline(IReadOnlyList<TimelineEntry> entries) => Mpi is null ? PatientTimeline.NotRegistered
        : new PatientTimeline(Mpi, entries, Retracted) { MergedAway = MergedAway };
}
