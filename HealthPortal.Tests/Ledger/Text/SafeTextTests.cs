using HealthPortal.Ledger.Text;

namespace HealthPortal.Tests.Ledger.Text;

/// <summary>
/// What typed text may contain: the characters that make what a reader sees differ from what was written are refused,
/// with the position and the reason; ordinary text in any script is not.
/// </summary>
public sealed class SafeTextTests
{
    [Theory]
    [InlineData("nul \0 inside", 4, 0x0000)]
    [InlineData("escape \u001B[31m", 7, 0x001B)]
    [InlineData("invoice\u202Efdp.exe", 7, 0x202E)] // right-to-left override
    [InlineData("name \u2066isolated\u2069", 5, 0x2066)] // left-to-right isolate
    [InlineData("Riverside\u200BGeneral", 9, 0x200B)] // zero-width space
    [InlineData("\uFEFFRiverside", 0, 0xFEFF)] // byte order mark
    [InlineData("Hos\u00ADpital", 3, 0x00AD)] // soft hyphen
    [InlineData("private \uE000 use", 8, 0xE000)]
    [InlineData("unassigned \u0378", 11, 0x0378)]
    [InlineData("line\u2028separator", 4, 0x2028)]
    public void Check_UnsafeCharacter_NamesItsPosition(string text, int index, int codePoint)
    {
        var problem = SafeText.Check(text);

        Assert.NotNull(problem);
        Assert.Equal(index, problem.Value.Index);
        Assert.Equal(codePoint, problem.Value.Character);
        Assert.Contains($"U+{codePoint:X4}", problem.Value.ToString());
    }

    [Fact]
    public void Check_LoneSurrogate_IsRefused()
    {
        // Built in code: a lone surrogate is not valid UTF-16, so it should not travel through test-case serialization.
        foreach (var text in new[] { "lone high " + '\uD83D' + " end", "lone low " + '\uDE00' + " end", "ends high " + '\uD83D' })
        {
            var problem = SafeText.Check(text);

            Assert.NotNull(problem);
            Assert.Equal("an unpaired surrogate", problem.Value.What);
        }
    }

    [Fact]
    public void Check_SupplementaryPrivateUse_IsRefused()
    {
        Assert.NotNull(SafeText.Check("plane 15 \U000F0000 private"));
    }

    [Theory]
    [InlineData("ရန်ကုန် ဆေးရုံကြီး")] // Yangon General Hospital in Burmese (combining marks, no format characters)
    [InlineData("Riverside General Hospital")]
    [InlineData("Ærøskøbing Sygehus – Ünïcödé")]
    [InlineData("Feeling better 😀👍🏽")] // surrogate pairs, skin-tone modifier
    [InlineData("")]
    public void Check_OrdinaryText_IsSafe(string text)
    {
        Assert.Null(SafeText.Check(text));
        Assert.True(SafeText.IsSafe(text));
    }

    [Theory]
    [InlineData("first line\nsecond line")]
    [InlineData("windows\r\nline")]
    [InlineData("a\ttab")]
    public void Check_LineBreaksAndTabs_OnlyWhenMultiline(string text)
    {
        Assert.NotNull(SafeText.Check(text));
        Assert.Null(SafeText.Check(text, multiline: true));
    }

    [Theory]
    [InlineData("note\0with nul")]
    [InlineData("note\u202Ereversed")]
    [InlineData("note\u000Bvertical tab")]
    public void Check_Multiline_StillRefusesControlAndBidiCharacters(string text)
    {
        Assert.NotNull(SafeText.Check(text, multiline: true));
    }

    [Fact]
    public void NormalizeName_FoldsFullWidthLettersAndSpaces()
    {
        // Full-width "Ｒｉｖｅｒｓｉｄｅ" and an ideographic space: NFKC makes them the ASCII name.
        Assert.Equal("Riverside General", SafeText.NormalizeName("\uFF32\uFF49\uFF56\uFF45\uFF52\uFF53\uFF49\uFF44\uFF45\u3000General"));
    }

    [Fact]
    public void NormalizeName_FoldsRunsOfWhiteSpaceAndTrims()
    {
        Assert.Equal("Riverside General Hospital", SafeText.NormalizeName("  Riverside \t General\u00A0\u00A0Hospital  "));
    }
}
