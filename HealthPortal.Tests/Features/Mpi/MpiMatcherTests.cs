using CsCheck;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Mpi.Evaluation;
using HealthPortal.Features.Patients;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Mpi;

public sealed class MpiMatcherTests
{
    private static readonly MpiMatcher Matcher = new(Options.Create(new MpiOptions()));

    private static MpiRecord Hospital() => MpiRecord.Create("H1", "U Aung Kyaw Moe", birthDate: "3-4-1980", sex: Sex.Male,
        nrc: "12/LAMANA(N)123456", phone: "09420123456", township: "Lanmadaw", fatherName: "U Tin Htun");

    [Fact]
    public void TheIssuesExample_TheLabsDayFirstRecordOfTheSamePatient_Links()
    {
        // The hospital's "Aung Kyaw Moe, 3-4-1980" and the lab's "Aung Kyaw Moe, 04/03/1980" with the same card.
        var lab = MpiRecord.Create("L1", "Aung Kyaw Moe", birthDate: "04/03/1980", sex: Sex.Male, nrc: "12/lamana(Naing)123456", phone: "+95 9 420 123 456");

        var match = Matcher.Compare(Hospital(), lab);

        Assert.Equal(MatchOutcome.Link, match.Outcome);
        Assert.Contains(match.Fields, f => f.Field == MpiField.BirthDate && f.LevelName == "swapped day/month");
        Assert.Contains(match.Agreed, f => f.Field == MpiField.Nrc);
    }

    [Fact]
    public void RomanisationVariants_HonorificsAndSpacing_StillLink()
    {
        var clinic = MpiRecord.Create("C1", "AongChawMo", birthDate: "1980-04-03", sex: Sex.Male, nrc: "၁၂/လမန(နိုင်)၁၂၃၄၅၆", phone: "09-420-123456", township: "Lanmadaw");

        Assert.Equal(MatchOutcome.Link, Matcher.Compare(Hospital(), clinic).Outcome);
    }

    [Fact]
    public void BurmeseScriptNames_AreComparedWithEachOther()
    {
        var a = MpiRecord.Create("A", "", "ဦးအောင်ကျော်မိုး", "03/04/1980", Sex.Male, null, "09420123456");
        var b = MpiRecord.Create("B", "", "အောင်ကျော်မိုး", "03/04/1980", Sex.Male, null, "09420123456");

        var match = Matcher.Compare(a, b);

        Assert.Contains(match.Fields, f => f.Field == MpiField.BurmeseName && f.Agreement == FieldAgreement.Agree);
        Assert.NotEqual(MatchOutcome.NoMatch, match.Outcome);
    }

    [Fact]
    public void ANameWrittenInBothScripts_IsCountedOnce()
    {
        // Namesakes born the same year, nothing else shared: the Burmese spelling of the same syllables is no new evidence.
        var a = MpiRecord.Create("A", "Aung Kyaw Moe", "အောင်ကျော်မိုး", "03/04/1980", Sex.Male, township: "Bahan");
        var b = MpiRecord.Create("B", "Aung Kyaw Moe", "အောင်ကျော်မိုး", "21/09/1980", Sex.Male, township: "Insein");
        var latinOnly = MpiRecord.Create("B", "Aung Kyaw Moe", birthDate: "21/09/1980", sex: Sex.Male, township: "Insein");

        var both = Matcher.Compare(a, b);

        Assert.Contains(both.Fields, f => f.Field == MpiField.BurmeseName && f.Agreement == FieldAgreement.Agree && f.Weight == 0);
        Assert.Equal(Matcher.Compare(a, latinOnly).Score, both.Score, 9);
        Assert.NotEqual(MatchOutcome.Link, both.Outcome);
    }

    [Fact]
    public void WithoutARomanisedName_TheBurmeseNameCounts()
    {
        var a = MpiRecord.Create("A", "", "အောင်ကျော်မိုး", "03/04/1980", Sex.Male);
        var b = MpiRecord.Create("B", "", "အောင်ကျော်မိုး", "03/04/1980", Sex.Male);

        Assert.Contains(Matcher.Compare(a, b).Fields, f => f.Field == MpiField.BurmeseName && f.Weight > 0);
    }

    [Fact]
    public void Twins_WhoseBurmeseNamesAreOnlyClose_AreNeverLinked()
    {
        // Same birth date, phone and township; romanised names differ in one syllable, Burmese spellings alike.
        var a = MpiRecord.Create("A", "Aung Kyaw Moe", "အောင်ကျော်မိုး", "03/04/1980", Sex.Male, phone: "09420123456", township: "Bahan");
        var b = MpiRecord.Create("B", "Aung Kyaw Min", "အောင်ကျော်မင်း", "03/04/1980", Sex.Male, phone: "09420123456", township: "Bahan");

        Assert.NotEqual(MatchOutcome.Link, Matcher.Compare(a, b).Outcome);
    }

    [Fact]
    public void ANamesakeBornTheSameYear_WithAnotherCard_IsNoMatch()
    {
        var other = MpiRecord.Create("H2", "Aung Kyaw Moe", birthDate: "17/11/1980", sex: Sex.Male, nrc: "9/MAHAMA(N)555111", phone: "09795551234", township: "Amarapura");

        var match = Matcher.Compare(Hospital(), other);

        Assert.Equal(MatchOutcome.NoMatch, match.Outcome);
        Assert.Contains(match.Disagreed, f => f.Field == MpiField.Nrc);
    }

    [Fact]
    public void ATwin_SameBirthFatherAndPhone_OtherNameAndCard_IsNotLinked()
    {
        var twin = MpiRecord.Create("H3", "Aung Kyaw Min", birthDate: "03/04/1980", sex: Sex.Male, nrc: "12/LAMANA(N)123457", phone: "09420123456", township: "Lanmadaw", fatherName: "U Tin Htun");

        Assert.NotEqual(MatchOutcome.Link, Matcher.Compare(Hospital(), twin).Outcome);
    }

    [Fact]
    public void Candidates_ComeOnlyFromSharedBlocks_BestFirst()
    {
        var pool = new[]
        {
            MpiRecord.Create("P1", "Aung Kyaw Moe", birthDate: "03/04/1980", sex: Sex.Male, nrc: "12/LAMANA(N)123456"),
            MpiRecord.Create("P2", "Hnin Thein", birthDate: "01/01/1990", sex: Sex.Female, nrc: "5/MAKANA(N)222333"),
        };

        var found = Matcher.Candidates(Hospital(), pool);

        Assert.Equal(["P1"], found.Select(m => m.Right.Id));
    }

    [Fact]
    public void Configuration_RefusesAReviewThresholdAboveTheLinkThreshold()
    {
        var options = new MpiOptions { LinkThreshold = 5, ReviewThreshold = 9 };

        Assert.Throws<OptionsValidationException>(options.ToModel);
    }

    private static readonly Gen<MpiRecord> Records =
        Gen.Int[0, 1_000_000].Select(seed => MpiPopulation.Generate(3, seed)[seed % 3].ToMpiRecord());

    [Fact]
    public void Matching_IsSymmetric() =>
        Gen.Select(Records, Records).Sample((a, b) =>
        {
            var ab = Matcher.Compare(a, b);
            var ba = Matcher.Compare(b, a);
            return ab.Outcome == ba.Outcome && Math.Abs(ab.Score - ba.Score) < 1e-9
                && ab.Fields.Select(f => f.Level).SequenceEqual(ba.Fields.Select(f => f.Level));
        }, iter: 300);

    [Fact]
    public void ARecord_AlwaysMatchesItself() =>
        Records.Sample(r =>
        {
            var self = Matcher.Compare(r, r);
            // A record with too little filled in cannot link automatically, but it is never less than a candidate to itself.
            return self.Outcome != MatchOutcome.NoMatch && self.Fields.All(f => f.Agreement is FieldAgreement.Agree or FieldAgreement.Missing)
                && MpiIndex.Build([r]).Candidates(r).Count == 1;
        }, iter: 300);
}

public sealed class MpiEvaluationTests
{
    [Fact]
    public void Generator_IsSeeded()
    {
        Assert.Equal(MpiPopulation.Generate(200, 7), MpiPopulation.Generate(200, 7));
        Assert.NotEqual(MpiPopulation.Generate(200, 7), MpiPopulation.Generate(200, 8));
    }

    [Fact]
    public void AtSmallScale_TheFittedMatcherMeetsTheTargets()
    {
        var report = MpiEvaluation.Run(MpiPopulation.Generate(5_000, seed: 13));

        Assert.True(report.TruePairs > 500, $"only {report.TruePairs} true pairs");
        Assert.True(report.ComparedPairs < 5_000L * 4_999 / 2 / 50, $"blocking compared {report.ComparedPairs} pairs");
        Assert.True(report.LinkPrecision >= 0.995, $"precision {report.LinkPrecision:F4}");
        Assert.True(report.Recall >= 0.97, $"recall {report.Recall:F4}");
        Assert.True(report.ReviewShare <= 0.05, $"review share {report.ReviewShare:P2}");
    }
}
