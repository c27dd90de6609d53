using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class Base64UrlTests
{
    [Fact]
    public void Encode_UsesUrlAlphabetWithoutPadding()
    {
        Assert.Equal("-_8", Base64Url.Encode([0xFB, 0xFF]));
        Assert.Equal("AA", Base64Url.Encode([0x00]));
        Assert.Equal("", Base64Url.Encode([]));
    }

    [Fact]
    public void Decode_RoundTripsEveryLengthUpToSixtyFour()
    {
        var random = new Random(7638);
        for (var length = 0; length <= 64; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            Assert.Equal(bytes, Base64Url.Decode(Base64Url.Encode(bytes)));
        }
    }

    [Theory]
    [InlineData("AA==", "padding")]
    [InlineData("AA=", "partial padding")]
    [InlineData("A", "impossible length")]
    [InlineData("AAAAA", "impossible length")]
    [InlineData("+/8", "standard alphabet")]
    [InlineData("AA A", "inner space")]
    [InlineData("AAA\n", "trailing newline")]
    [InlineData(" AAA", "leading space")]
    [InlineData("AB", "non-zero trailing bits (one byte)")]
    [InlineData("AAB", "non-zero trailing bits (two bytes)")]
    [InlineData("AA\u00e9", "non-ASCII")]
    public void TryDecode_RefusesNonCanonicalInput(string input, string why)
    {
        Assert.False(Base64Url.TryDecode(input, out var bytes), why);
        Assert.Empty(bytes);
    }

    [Fact]
    public void TryDecode_RefusesNull()
    {
        Assert.False(Base64Url.TryDecode(null, out var bytes));
        Assert.Empty(bytes);
    }

    [Fact]
    public void Decode_ThrowsFormatExceptionForBadInput()
    {
        Assert.Throws<FormatException>(() => Base64Url.Decode("AA=="));
    }
}
