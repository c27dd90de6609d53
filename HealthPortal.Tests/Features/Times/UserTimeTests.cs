using HealthPortal.Features.Times;

namespace HealthPortal.Tests.Features.Times;

public sealed class UserTimeTests
{
    private static readonly UserTime Yangon = UserTime.For("Asia/Yangon");

    [Fact]
    public void Default_IsYangon()
    {
        Assert.Equal("Asia/Yangon", UserTime.Default.ZoneId);
        Assert.Equal(TimeSpan.FromMinutes(390), UserTime.Default.Zone.GetUtcOffset(DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Local_Yangon_AddsSixHoursThirty()
    {
        var local = Yangon.Local(new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTime(2026, 12, 7, 2, 30, 0), local.DateTime);
        Assert.Equal(TimeSpan.FromMinutes(390), local.Offset);
    }

    [Fact]
    public void Format_IsDayFirstInTheUsersZone()
    {
        var at = new DateTimeOffset(2026, 3, 4, 17, 45, 9, TimeSpan.Zero);

        Assert.Equal("5 Mar 2026, 00:15", Yangon.Format(at));
        Assert.Equal("5 Mar 2026, 00:15:09", Yangon.FormatSeconds(at));
        Assert.Equal("5 Mar 2026", Yangon.Date(at));
        Assert.Equal("00:15", Yangon.Time(at));
    }

    [Fact]
    public void Format_StoredUnspecifiedDateTime_IsReadAsUtc()
    {
        // EF Core reads SQLite DateTime columns back with Kind Unspecified; they were written as UTC.
        var stored = new DateTime(2026, 12, 6, 3, 0, 0, DateTimeKind.Unspecified);

        Assert.Equal("6 Dec 2026, 09:30", Yangon.Format(stored));
    }

    [Fact]
    public void ToUtc_YangonWallClock_StoresSixHoursThirtyEarlier()
    {
        var utc = Yangon.ToUtc(new DateTime(2026, 12, 7), new TimeSpan(9, 15, 0));

        Assert.Equal(new DateTime(2026, 12, 7, 2, 45, 0, DateTimeKind.Utc), utc);
        Assert.Equal(DateTimeKind.Utc, utc!.Value.Kind);
    }

    [Fact]
    public void ToUtc_WithoutTime_IsMidnightInTheZone()
    {
        Assert.Equal(new DateTime(2026, 12, 6, 17, 30, 0, DateTimeKind.Utc), Yangon.ToUtc(new DateTime(2026, 12, 7), null));
    }

    [Fact]
    public void ToUtc_WithoutDate_IsNull() => Assert.Null(Yangon.ToUtc(null, new TimeSpan(9, 0, 0)));

    [Theory]
    [InlineData("Asia/Yangon")]
    [InlineData("Europe/London")]
    [InlineData("America/New_York")]
    [InlineData("UTC")]
    public void EntryRoundTrip_TypedWallClock_ComesBackAsTyped(string zoneId)
    {
        var clock = UserTime.For(zoneId);
        // Summer and winter, so zones with daylight saving are checked on both sides.
        foreach (var typed in new[] { new DateTime(2026, 1, 15, 8, 5, 0), new DateTime(2026, 7, 15, 23, 50, 0) })
        {
            var stored = clock.ToUtc(typed.Date, typed.TimeOfDay)!.Value;
            var (date, time) = clock.ToPickers(stored);

            Assert.Equal(typed, date + time);
            Assert.Equal(typed.ToString("d MMM yyyy, HH:mm", UserTime.Culture), clock.Format(stored));
        }
    }

    [Fact]
    public void ToUtc_SkippedByDaylightSaving_IsReadAsTheHourAfter()
    {
        // 2026-03-29 01:30 does not exist in London (clocks go from 01:00 to 02:00 GMT→BST).
        var utc = UserTime.For("Europe/London").ToUtc(new DateTime(2026, 3, 29), new TimeSpan(1, 30, 0));

        Assert.Equal(new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc), utc);
    }

    [Fact]
    public void Span_OneLocalDay_WritesTheDayOnce()
    {
        var first = new DateTimeOffset(2026, 12, 6, 18, 0, 0, TimeSpan.Zero); // 7 Dec 00:30 in Yangon
        var last = first.AddMinutes(25);

        Assert.Equal("7 Dec 2026, 00:30–00:55", Yangon.Span(first, last));
        Assert.Equal("7 Dec 2026, 00:30", Yangon.Span(first, first));
    }

    [Fact]
    public void Span_AcrossLocalMidnight_WritesBothDays()
    {
        var first = new DateTimeOffset(2026, 12, 6, 17, 0, 0, TimeSpan.Zero); // 23:30 in Yangon
        Assert.Equal("6 Dec 2026, 23:30 – 7 Dec 2026, 00:30", Yangon.Span(first, first.AddHours(1)));
    }

    [Fact]
    public void For_UnknownZone_FallsBackToYangon()
    {
        Assert.Equal("Asia/Yangon", UserTime.For("Mars/Olympus_Mons").ZoneId);
        Assert.Equal("Asia/Yangon", UserTime.For(null).ZoneId);
    }

    [Fact]
    public void Offered_EveryZoneLoads() =>
        Assert.All(PortalTimeZones.Offered, id => Assert.Equal(id, UserTime.For(id).ZoneId));

    [Fact]
    public void Label_NamesCityAndOffset()
    {
        Assert.Equal("Yangon (UTC+06:30)", PortalTimeZones.Label("Asia/Yangon"));
        Assert.Equal("Yangon time", Yangon.ZoneName);
    }
}
