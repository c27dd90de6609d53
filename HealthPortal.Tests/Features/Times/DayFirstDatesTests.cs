using HealthPortal.Features.Times;

namespace HealthPortal.Tests.Features.Times;

public sealed class DayFirstDatesTests
{
    [Theory]
    [InlineData("07/12/2026")]
    [InlineData("7/12/2026")]
    [InlineData("07.12.2026")]
    [InlineData("07-12-2026")]
    [InlineData(" 7 / 12 / 2026 ")]
    [InlineData("7 Dec 2026")]
    [InlineData("7 December 2026")]
    [InlineData("7 dec. 2026")]
    [InlineData("2026-12-07")]
    public void Read_DayFirstForms_AreSeventhOfDecember(string typed)
    {
        var reading = DayFirstDates.Read(typed);

        Assert.True(reading.IsDate, reading.Problem);
        Assert.Equal(new DateTime(2026, 12, 7), reading.Date);
    }

    [Fact]
    public void Read_AmbiguousDayAndMonth_IsAlwaysDayFirst()
    {
        Assert.Equal(new DateTime(2026, 4, 3), DayFirstDates.Read("03/04/2026").Date);
        Assert.Equal(new DateTime(2026, 3, 4), DayFirstDates.Read("04/03/2026").Date);
    }

    [Fact]
    public void Read_ImpossibleDay_SaysHowManyDaysTheMonthHas()
    {
        var reading = DayFirstDates.Read("31/02/2020");

        Assert.Null(reading.Date);
        Assert.Equal("\"31/02/2020\" is not a date: February 2020 has 29 days.", reading.Problem);
        Assert.Equal("\"29/02/2021\" is not a date: February 2021 has 28 days.", DayFirstDates.Read("29/02/2021").Problem);
        Assert.Equal(new DateTime(2020, 2, 29), DayFirstDates.Read("29/02/2020").Date);
    }

    [Fact]
    public void Read_MonthFirstDate_IsRefusedWithTheOrderExpected_NeverSwapped()
    {
        var reading = DayFirstDates.Read("12/31/2026");

        Assert.Null(reading.Date);
        Assert.Contains("there is no month 31", reading.Problem);
        Assert.Contains("day first (dd/mm/yyyy)", reading.Problem);
    }

    [Theory]
    [InlineData("7/12/26", "Type the year in full")]
    [InlineData("7 Dez 2026", "\"Dez\" is not a month")]
    [InlineData("tomorrow", "\"tomorrow\" is not a date")]
    [InlineData("2026-13-01", "there is no month 13")]
    [InlineData("00/12/2026", "December 2026 has 31 days")]
    public void Read_OtherTexts_AreRefusedWithAReason(string typed, string reason)
    {
        var reading = DayFirstDates.Read(typed);

        Assert.Null(reading.Date);
        Assert.Contains(reason, reading.Problem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Read_Blank_IsNoDateAndNoProblem(string? typed)
    {
        var reading = DayFirstDates.Read(typed);

        Assert.Null(reading.Date);
        Assert.True(reading.IsDate);
    }

    [Fact]
    public void Text_IsDayFirstWithTwoDigitDayAndMonth()
    {
        Assert.Equal("03/04/2026", DayFirstDates.Text(new DateTime(2026, 4, 3)));
    }
}
