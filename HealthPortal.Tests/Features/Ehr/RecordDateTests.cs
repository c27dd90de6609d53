using HealthPortal.Features.Ehr;
using HealthPortal.Features.Records;
using HealthPortal.Features.Times;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>
/// A record is listed under its day at the facility, not its day in UTC (issue 16): Yangon is UTC+06:30, so an admission
/// or visit typed for 2 March without a time is stored as 1 March 17:30 UTC and must still be a record of 2 March.
/// </summary>
public sealed class RecordDateTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private static readonly UserTime Yangon = UserTime.For("Asia/Yangon");

    // What the entry forms store for "2 March 2026" with no time, at a facility in Yangon.
    private static readonly DateTime SecondOfMarchInYangon = Yangon.ToUtc(new DateTime(2026, 3, 2), null)!.Value;

    [Fact]
    public void TheDateTypedInYangon_IsTheDayBeforeInUtc()
    {
        Assert.Equal(new DateTime(2026, 3, 1, 17, 30, 0, DateTimeKind.Utc), SecondOfMarchInYangon);
        Assert.Equal(new DateOnly(2026, 3, 2), EhrFhir.LocalDate(SecondOfMarchInYangon, Yangon.Zone));
        Assert.Equal(new DateOnly(2026, 3, 1), EhrFhir.LocalDate(SecondOfMarchInYangon, TimeZoneInfo.Utc));
    }

    [Fact]
    public async Task Admission_EnteredInYangonWithoutATime_IsDatedThatDay_EveryRecordOfIt()
    {
        var input = EhrSamples.Admission();
        input.StartedAt = SecondOfMarchInYangon;
        var mpi = EhrTestNode.NewMpi();

        var saved = await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, mpi, input, "staff");

        Assert.True(saved.IsOk, saved.ToString());
        Assert.All(saved.Value!.Records.Where(r => r.Kind != RecordKinds.Note), r => Assert.Equal("2026-03-02", r.DateText));
        // Read back from the store, as the timeline and the anchor checks do: the same day.
        var stored = await node.Stores.Find(EhrTestNode.Hospital)!.RecordsOfAsync(mpi);
        Assert.Equal("2026-03-02", Assert.Single(stored, r => r.Kind == RecordKinds.Encounter).DateText);
    }

    [Fact]
    public async Task Visit_EnteredInYangonWithoutATime_IsDatedThatDay()
    {
        var input = EhrSamples.Visit();
        input.SeenAt = SecondOfMarchInYangon;

        var saved = await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, EhrTestNode.NewMpi(), input, "staff");

        Assert.True(saved.IsOk, saved.ToString());
        Assert.All(saved.Value!.Records, r => Assert.Equal("2026-03-02", r.DateText));
    }
}
