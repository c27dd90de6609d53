using HealthPortal.Features.Patients;

namespace HealthPortal.Tests.Features.Patients;

/// <summary>NRC numbers as people write them: one canonical form for comparing, a sentence for what is not one.</summary>
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
    public void Parses_CommonSpellings_ToOneForm(string typed, string expected)
    {
        Assert.True(Nrc.TryParse(typed, out var normalised, out var error), error);
        Assert.Equal(expected, normalised);
        Assert.Equal(expected, Nrc.Normalise(expected)); // the canonical form is a fixed point
    }

    [Theory]
    [InlineData("15/MAYAKA(N)123456", "1 to 14")]
    [InlineData("0/MAYAKA(N)123456", "1 to 14")]
    [InlineData("12/MAYAKA(X)123456", "N (Naing)")]
    [InlineData("12/MAYAKA(N)12345", "six digits")]
    [InlineData("12/MAYAKA(N)1234567", "six digits")]
    [InlineData("12MAYAKA123456", "six digits")]
    [InlineData("", "Enter the NRC")]
    public void Refuses_WhatIsNotAnNrc_WithAReason(string typed, string reason)
    {
        Assert.False(Nrc.TryParse(typed, out var normalised, out var error));
        Assert.Equal("", normalised);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Null(Nrc.Normalise(typed));
    }

    [Theory]
    [InlineData("12/MAYAKA(N)123456", true)]
    [InlineData("12/ma", true)]
    [InlineData("21/03/1985", false)]
    [InlineData("Aye Aye Mon", false)]
    [InlineData("1985-03-21", false)]
    public void LooksLikeNrc_TellsAnNrcAttemptFromANameOrDate(string typed, bool expected) => Assert.Equal(expected, Nrc.LooksLikeNrc(typed));
}
