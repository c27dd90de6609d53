using System.Text;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Tests.Ledger.Canonical;

/// <summary>
/// <see cref="Jcs.CanonicalizeData"/>: full RFC 8785 numbers, everything else as in ledger mode.
/// </summary>
public sealed class JcsDataTests
{
    private static string Canonical(string json)
    {
        var result = Jcs.CanonicalizeData(json);
        Assert.True(result.IsSuccess, result.Error);
        return Encoding.UTF8.GetString(result.Bytes);
    }

    private static string Refusal(string json)
    {
        var result = Jcs.CanonicalizeData(json);
        Assert.False(result.IsSuccess);
        Assert.Null(result.Bytes);
        return result.Error!;
    }

    [Fact]
    public void CanonicalizeData_WritesFhirQuantity()
    {
        Assert.Equal("{\"resourceType\":\"Observation\",\"valueQuantity\":{\"unit\":\"mmol/L\",\"value\":5.4}}",
            Canonical("{\"valueQuantity\":{\"value\":5.40,\"unit\":\"mmol/L\"},\"resourceType\":\"Observation\"}"));
    }

    [Fact]
    public void CanonicalizeData_LedgerModeStillRefusesTheSameFloat()
    {
        const string json = "{\"valueQuantity\":{\"value\":5.40}}";
        Assert.True(Jcs.CanonicalizeData(json).IsSuccess);
        Assert.Equal("$.valueQuantity.value: floating-point numbers are not allowed; use a string or an integer",
            Jcs.Canonicalize(json).Error);
    }

    [Fact]
    public void CanonicalizeData_WritesIntegersBeyondDoublePrecisionAsTheDouble()
    {
        // Ledger mode keeps long precision; data mode must match what a browser hashes.
        Assert.Equal("[9007199254740992,9223372036854776000]", Canonical("[9007199254740993,9223372036854775807]"));
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")] // 1e309 written out
    public void CanonicalizeData_RefusesNumberOverflowingDouble(string number)
    {
        Assert.Matches(@"^\$\.a\[1\]: number -?1[0-9e…]* is outside the range of a double$", Refusal("{\"a\":[0," + number + "]}"));
    }

    [Fact]
    public void CanonicalizeData_RefusesDuplicateMembers()
    {
        Assert.Equal("$.body: duplicate member \"dose\"", Refusal("{\"body\":{\"dose\":1.5,\"dose\":2.5}}"));
    }

    [Fact]
    public void CanonicalizeData_RefusesLoneSurrogate()
    {
        Assert.Contains("lone surrogate", Refusal("{\"note\":\"\\ud800\"}"));
    }

    [Fact]
    public void CanonicalizeData_SortsMembersByUtf16CodeUnits()
    {
        Assert.Equal("{\"\ud800\udc00\":1.5,\"\ue000\":2}", Canonical("{\"\\ue000\":2.0,\"\\ud800\\udc00\":1.50}"));
    }

    [Fact]
    public void CanonicalizeData_RefusesNestingBeyondMaxDepth()
    {
        var ok = new string('[', Jcs.MaxDepth) + "0.5" + new string(']', Jcs.MaxDepth);
        Assert.Equal(ok, Canonical(ok));
        Refusal(new string('[', Jcs.MaxDepth + 1) + new string(']', Jcs.MaxDepth + 1));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("+1")]
    public void CanonicalizeData_RefusesInvalidNumbers(string json)
    {
        Assert.StartsWith("invalid JSON", Refusal(json));
    }

    [Fact]
    public void CanonicalizeData_ThrowsOnNull()
    {
        Assert.Throws<ArgumentNullException>(() => Jcs.CanonicalizeData(null!));
    }
}
