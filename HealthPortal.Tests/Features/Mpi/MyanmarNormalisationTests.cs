using HealthPortal.Features.Mpi;

namespace HealthPortal.Tests.Features.Mpi;

public sealed class MyanmarNameTests
{
    [Theory]
    [InlineData("U Aung Kyaw Moe", "aung kyaw moe")]
    [InlineData("Daw Hnin Thein", "hnin thein")]
    [InlineData("Ko Zaw Min", "zaw min")]
    [InlineData("Ma Su Su", "su su")]
    [InlineData("Maung Thant Zin", "thant zin")]
    [InlineData("Mg Thant Zin", "thant zin")]
    [InlineData("Dr. Khin Mya", "khin mya")]
    public void Honorifics_AreNotPartOfTheName(string typed, string expected) =>
        Assert.Equal(expected, MyanmarName.Parse(typed).Latin);

    [Theory]
    [InlineData("Maung Maung", "maung maung")] // a whole name, not an honorific and a name
    [InlineData("Ma", "ma")]
    public void AnHonorificThatIsTheWholeName_IsKept(string typed, string expected) =>
        Assert.Equal(expected, MyanmarName.Parse(typed).Latin);

    [Theory]
    [InlineData("Aung Kyaw Moe", "Aong Chaw Mo")]
    [InlineData("Hnin Thein", "Nhin Thane")]
    [InlineData("Htun Win", "Tun Winn")]
    [InlineData("Phyo Soe", "Pyo So")]
    [InlineData("Kyi Swe", "Kyee Sway")]
    public void RomanisationVariants_BecomeOneSpelling(string a, string b) =>
        Assert.Equal(MyanmarName.Parse(a).Compact, MyanmarName.Parse(b).Compact);

    [Theory]
    [InlineData("AungKyawMoe", "Aung Kyaw Moe")]
    [InlineData("aung kyawmoe", "Aung Kyaw Moe")]
    [InlineData("HNINTHANE", "Hnin Thein")]
    public void SyllableSpacing_DoesNotMatter(string a, string b)
    {
        Assert.Equal(MyanmarName.Parse(b).Latin, MyanmarName.Parse(a).Latin);
    }

    [Fact]
    public void BurmeseScriptName_IsItsOwnComparator_WithHonorificAndSpacingRemoved()
    {
        var name = MyanmarName.Parse("ဦး အောင် ကျော် မိုး");

        Assert.Equal("အောင်ကျော်မိုး", name.Burmese);
        Assert.Empty(name.Syllables);
        Assert.Equal("အောင်ကျော်မိုး", MyanmarName.Parse("ဦးအောင်ကျော်မိုး").Burmese);
    }

    [Fact]
    public void LatinAndBurmeseNames_AreKeptSide_BySide()
    {
        var name = MyanmarName.Parse("Aung Kyaw Moe", "အောင်ကျော်မိုး");

        Assert.Equal("aung kyaw moe", name.Latin);
        Assert.Equal("အောင်ကျော်မိုး", name.Burmese);
    }

    [Theory]
    [InlineData("Kyaw Zin", "Chaw Zin")]
    [InlineData("Htun Aung", "Tun Aung")]
    [InlineData("Hnin Si", "Nhin Si")]
    public void InitialSound_SurvivesSpellingVariants(string a, string b) =>
        Assert.Equal(MyanmarName.Parse(a).InitialSound, MyanmarName.Parse(b).InitialSound);
}

public sealed class MpiDatesTests
{
    [Theory]
    [InlineData("3-4-1980")]
    [InlineData("03/04/1980")]
    [InlineData("3.4.80")]
    [InlineData("1980-04-03")]
    [InlineData("၀၃/၀၄/၁၉၈၀")]
    public void DatesAreReadDayFirst(string typed) =>
        Assert.Equal(new DateOnly(1980, 4, 3), MpiDates.Parse(typed).Value);

    [Theory]
    [InlineData("31/02/1980", DateError.NoSuchDate)]
    [InlineData("13/13/1980", DateError.NoSuchDate)]
    [InlineData("March 1980", DateError.Unreadable)]
    [InlineData(" ", DateError.Empty)]
    public void NonDates_AreRefusedWithACode(string typed, DateError expected) =>
        Assert.Equal(expected, MpiDates.Parse(typed).Error);

    [Fact]
    public void TwoDigitYears_AreInThePast() =>
        Assert.Equal(2001, MpiDates.Parse("1/1/01", currentYear: 2026).Value.Year);

    [Theory]
    [InlineData("03/04/1980", "03/04/1980", DateAgreement.Exact)]
    [InlineData("03/04/1980", "04/03/1980", DateAgreement.SwappedDayMonth)]
    [InlineData("03/04/1980", "03/04/1981", DateAgreement.Typo)]
    [InlineData("03/04/1980", "08/04/1980", DateAgreement.Typo)]
    [InlineData("03/04/1980", "20/11/1980", DateAgreement.SameYear)]
    [InlineData("03/04/1980", "20/11/1975", DateAgreement.Disagree)]
    public void SwappedDayAndMonth_IsDetected(string a, string b, DateAgreement expected) =>
        Assert.Equal(expected, MpiDates.Compare(MpiDates.Parse(a).Value, MpiDates.Parse(b).Value));
}

public sealed class MpiPhonesTests
{
    [Theory]
    [InlineData("+95 9 420 123 456")]
    [InlineData("959420123456")]
    [InlineData("09-420-123456")]
    [InlineData("09420123456")]
    [InlineData("၀၉၄၂၀၁၂၃၄၅၆")]
    [InlineData("0095 9420123456")]
    public void Phones_ReadAsTheNationalNumber(string typed) => Assert.Equal("9420123456", MpiPhones.Normalise(typed));

    [Theory]
    [InlineData("")]
    [InlineData("none")]
    [InlineData("123")]
    public void NotAPhone_IsMissing(string typed) => Assert.Equal("", MpiPhones.Normalise(typed));
}
