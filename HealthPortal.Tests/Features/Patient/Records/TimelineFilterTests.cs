using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;

namespace HealthPortal.Tests.Features.Patient.Records;

public sealed class TimelineFilterTests
{
    private static TimelineEntry Entry(string facility, string kind, string date) =>
        new(new VerifiedRecord(new RecordEntry(facility, Guid.NewGuid().ToString("N"), "1111-2222-3333", kind, date, "h", "l", Guid.NewGuid().ToString("N"), 1, 0, 0),
            RecordIntegrity.Verified, null, null, null), facility);

    private static readonly TimelineEntry[] Entries =
    [
        Entry("hospital", RecordKinds.Encounter, "2026-03-05"),
        Entry("hospital", RecordKinds.Diagnosis, "2026-03-01"),
        Entry("lab", RecordKinds.LabResult, "2026-02-15"),
        Entry("lab", RecordKinds.LabResult, "2026-01-31"),
    ];

    [Fact]
    public void Filter_None_KeepsEverything() => Assert.Equal(Entries, TimelineFilter.None.Apply(Entries));

    [Fact]
    public void Filter_ByFacility_KeepsThatFacilitysRecords() =>
        Assert.Equal([Entries[2], Entries[3]], new TimelineFilter(FacilityId: "lab").Apply(Entries));

    [Fact]
    public void Filter_ByKind_KeepsThatKind() =>
        Assert.Equal([Entries[1]], new TimelineFilter(Kind: RecordKinds.Diagnosis).Apply(Entries));

    [Fact]
    public void Filter_ByDateRange_IncludesBothEnds() =>
        Assert.Equal([Entries[1], Entries[2]], new TimelineFilter(From: new DateOnly(2026, 2, 15), To: new DateOnly(2026, 3, 1)).Apply(Entries));

    [Fact]
    public void Filter_Combined_AppliesEveryPart() =>
        Assert.Equal([Entries[2]], new TimelineFilter("lab", RecordKinds.LabResult, new DateOnly(2026, 2, 1), null).Apply(Entries));

    [Fact]
    public void Filter_MatchingNothing_IsEmpty() =>
        Assert.Empty(new TimelineFilter("hospital", RecordKinds.LabResult).Apply(Entries));
}
