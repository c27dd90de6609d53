using HealthPortal.Features.Patients;

namespace HealthPortal.Tests.Features.Patients;

/// <summary>
/// NRC numbers as people write them and cards print them: one canonical form for comparing (the desk search and the
/// MPI matcher use the same parser), a code and a sentence for what is not one.
/// </summary>
public sealed class NrcTests
{
    [Theory]
    [InlineData("12/MaYaKa(N)123456", "12/MAYAKA(N)123456")]
    [InlineData("12/MAYAKA(Naing)123456", "12/MAYAKA(N)123456")]
    [InlineData(" 12 / mayaka ( naing ) 123456 ", "12/MAYAKA(N)123456")]
    [InlineData("1/MaKaNa(E)000001", "1/MAKANA(E)000001")]
    [InlineData("14/PaThaNa(Pyu)654321", "14/PATHANA(P)654321")]
    [InlineData("၁၂/LaMaNa(N)၁၂၃၄၅၆", "12/LAMANA(N)123456")] // Myanmar digits
    [InlineData("１２/LaMaNa（N）123456", "12/LAMANA(N)123456")] // full-width digits and brackets
    [InlineData("12/LAMANA(N)123456", "12/LAMANA(N)123456")]
    [InlineData("12/lamana(n)123456", "12/LAMANA(N)123456")]
    [InlineData("12/LAMANA(Naing)123456", "12/LAMANA(N)123456")]
    [InlineData("12 / LAMANA (N) 123456", "12/LAMANA(N)123456")]
    [InlineData("12LAMANA(N)123456", "12/LAMANA(N)123456")] // no slash
    [InlineData("12/LAMANAN123456", "12/LAMANA(N)123456")] // no brackets
    [InlineData("၁၂/လမန(နိုင်)၁၂၃၄၅၆", "12/LAMANA(N)123456")] // Burmese-script form
    [InlineData("12/LAMANA(N)၁၂၃၄၅၆", "12/LAMANA(N)123456")]
    [InlineData("၁၄/ဥကမ(ဧည့်)၀၀၀၀၁၂", "14/OUKAMA(E)000012")]
    [InlineData("9/MAHAMA(P)654321", "9/MAHAMA(P)654321")]
    public void Parses_CommonSpellings_ToOneForm(string typed, string expected)
    {
        var nrc = Nrc.Parse(typed);

        Assert.True(nrc.IsOk, nrc.Message);
        Assert.Equal(expected, nrc.Value!.ToString());
        Assert.Equal(expected, Nrc.Normalise(typed));
        Assert.Equal(expected, Nrc.Normalise(expected)); // the canonical form is a fixed point
    }

    [Theory]
    [InlineData("", NrcError.Empty, "Enter the NRC")]
    [InlineData("15/MAYAKA(N)123456", NrcError.BadState, "1 to 14")]
    [InlineData("0/MAYAKA(N)123456", NrcError.BadState, "1 to 14")]
    [InlineData("LAMANA(N)123456", NrcError.BadState, "1 to 14")]
    [InlineData("12/(N)123456", NrcError.BadTownship, "township code")]
    [InlineData("12/LA#NA(N)123456", NrcError.BadTownship, "letters only")]
    [InlineData("12/MAYAKA(X)123456", NrcError.BadType, "N (Naing)")]
    [InlineData("12MAYAKA123456", NrcError.BadType, "N (Naing)")] // no type at all
    [InlineData("12/MAYAKA(N)12345", NrcError.BadNumber, "six digits")]
    [InlineData("12/MAYAKA(N)1234567", NrcError.BadNumber, "six digits")]
    public void Refuses_WhatIsNotAnNrc_WithACodeAndAReason(string typed, NrcError code, string reason)
    {
        var nrc = Nrc.Parse(typed);

        Assert.False(nrc.IsOk);
        Assert.Equal(code, nrc.Error);
        Assert.Contains(reason, nrc.Message, StringComparison.Ordinal);
        Assert.Null(Nrc.Normalise(typed));
    }

    [Theory]
    [InlineData("12/MAYAKA(N)123456", true)]
    [InlineData("12/ma", true)]
    [InlineData("၁၂/လမန(နိုင်)၁၂၃၄၅၆", true)]
    [InlineData("21/03/1985", false)]
    [InlineData("Aye Aye Mon", false)]
    [InlineData("1985-03-21", false)]
    public void LooksLikeNrc_TellsAnNrcAttemptFromANameOrDate(string typed, bool expected) => Assert.Equal(expected, Nrc.LooksLikeNrc(typed));
}
