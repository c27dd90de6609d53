using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Tests.Ledger.Canonical;

/// <summary>
/// Known outputs of ECMAScript <c>String(Number(text))</c>, the form RFC 8785 §3.2.2.3 requires.
/// </summary>
public sealed class JcsNumberTests
{
    // JSON number text as a FHIR resource might carry it → what a browser's JSON.parse/String gives.
    public static TheoryData<string, string> KnownOutputs => new()
    {
        { "1e21", "1e+21" },
        { "1e20", "100000000000000000000" },
        { "999999999999999999999", "1e+21" },
        { "1.5e21", "1.5e+21" },
        { "1e23", "1e+23" },
        { "0.30000000000000004", "0.30000000000000004" },
        { "0.1", "0.1" },
        { "5e-324", "5e-324" },
        { "1.7976931348623157e308", "1.7976931348623157e+308" },
        { "2.2250738585072014e-308", "2.2250738585072014e-308" },
        { "-0.0", "0" },
        { "-0", "0" },
        { "1e-6", "0.000001" },
        { "0.0000010", "0.000001" },
        { "0.000001234", "0.000001234" },
        { "1e-7", "1e-7" },
        { "-1e-7", "-1e-7" },
        { "1.234e-7", "1.234e-7" },
        { "1e-27", "1e-27" },
        { "1e-400", "0" },
        { "123.456", "123.456" },
        { "-1.5", "-1.5" },
        { "4.35", "4.35" },
        { "5.40", "5.4" },
        { "120", "120" },
        { "1E2", "100" },
        { "9007199254740993", "9007199254740992" },
        { "12345678901234567890", "12345678901234567000" },
    };

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
    public static TheoryData<string, string> AppendixB => new()
    {
        { "0000000000000000", "0" },
        { "8000000000000000", "0" },
        { "0000000000000001", "5e-324" },
        { "8000000000000001", "-5e-324" },
        { "7fefffffffffffff", "1.7976931348623157e+308" },
        { "ffefffffffffffff", "-1.7976931348623157e+308" },
        { "4340000000000000", "9007199254740992" },
        { "c340000000000000", "-9007199254740992" },
        { "4430000000000000", "295147905179352830000" },
        { "44b52d02c7e14af5", "9.999999999999997e+22" },
        { "44b52d02c7e14af6", "1e+23" },
        { "44b52d02c7e14af7", "1.0000000000000001e+23" },
        { "444b1ae4d6e2ef4e", "999999999999999700000" },
        { "444b1ae4d6e2ef4f", "999999999999999900000" },
        { "444b1ae4d6e2ef50", "1e+21" },
        { "3eb0c6f7a0b5ed8c", "9.999999999999997e-7" },
        { "3eb0c6f7a0b5ed8d", "0.000001" },
        { "41b3de4355555553", "333333333.3333332" },
        { "41b3de4355555554", "333333333.33333325" },
        { "41b3de4355555555", "333333333.3333333" },
        { "41b3de4355555556", "333333333.3333334" },
        { "41b3de4355555557", "333333333.33333343" },
        { "becbf647612f3696", "-0.0000033333333333333333" },
        { "43143ff3c1cb0959", "1424953923781206.2" },
    };

    [Theory]
    [MemberData(nameof(KnownOutputs))]
    public void Format_MatchesEcmaScript(string json, string expected)
    {
        Assert.Equal(expected, JcsNumber.Format(double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [MemberData(nameof(KnownOutputs))]
    public void CanonicalizeData_WritesNumberAsEcmaScript(string json, string expected)
    {
        var result = Jcs.CanonicalizeData("{\"value\":" + json + "}");
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal("{\"value\":" + expected + "}", Encoding.UTF8.GetString(result.Bytes));
    }

    [Theory]
    [MemberData(nameof(AppendixB))]
    public void Format_MatchesRfc8785AppendixB(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(ieeeHex)));
        Assert.Equal(expected, JcsNumber.Format(value));
    }

    [Fact]
    public void Format_OfSumPointOneAndPointTwo_KeepsAllSeventeenDigits()
    {
        Assert.Equal("0.30000000000000004", JcsNumber.Format(0.1 + 0.2));
    }

    [Fact]
    public void Format_OfNegativeZero_IsZero()
    {
        Assert.Equal("0", JcsNumber.Format(-0.0));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Format_RefusesNonFiniteAsMisuse(double value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JcsNumber.Format(value));
    }
}
