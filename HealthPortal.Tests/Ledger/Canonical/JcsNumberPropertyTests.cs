using System.Globalization;
using System.Text;
using CsCheck;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Tests.Ledger.Canonical;

public sealed class JcsNumberPropertyTests
{
    // Every bit pattern equally (mostly huge or tiny magnitudes), decimals as people write them,
    // and values straddling the layout boundaries 1e-7…1e-6 and 1e20…1e22.
    private static readonly Gen<double> Finite = Gen.OneOf(
            Gen.Long.Select(BitConverter.Int64BitsToDouble),
            Gen.Double,
            Gen.Select(Gen.Long[-99_999_999_999, 99_999_999_999], Gen.Int[0, 12])
                .Select((mantissa, scale) => mantissa / Math.Pow(10, scale)),
            Gen.Select(Gen.Double[1, 10], Gen.Int[-8, 23], Gen.Bool)
                .Select((m, e, negative) => (negative ? -m : m) * Math.Pow(10, e)))
        .Where(double.IsFinite);

    [Fact]
    public void Format_ParsesBackToTheSameDouble()
    {
        Finite.Sample(value =>
        {
            var text = JcsNumber.Format(value);
            Assert.Equal(value, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }, iter: 20_000, print: Print);
    }

    [Fact]
    public void Format_HasAsFewDigitsAsRoundTripFormat()
    {
        Finite.Sample(value =>
        {
            var text = JcsNumber.Format(value);
            Assert.Equal(SignificantDigits(value.ToString("R", CultureInfo.InvariantCulture)).Length, SignificantDigits(text).Length);
        }, iter: 20_000, print: Print);
    }

    [Fact]
    public void Format_MatchesSimpleReference()
    {
        Finite.Sample(value =>
        {
            Assert.Equal(ReferenceJcsNumber.Format(value), JcsNumber.Format(value));
        }, iter: 20_000, print: Print);
    }

    [Fact]
    public void CanonicalizeData_OfArrayOfDoubles_WritesEachAsFormat()
    {
        Finite.Array[0, 8].Sample(values =>
        {
            var json = "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
            var result = Jcs.CanonicalizeData(json);
            Assert.True(result.IsSuccess, result.Error);
            Assert.Equal("[" + string.Join(",", values.Select(ReferenceJcsNumber.Format)) + "]", Encoding.UTF8.GetString(result.Bytes));
        }, iter: 2000, print: values => string.Join(",", values.Select(Print)));
    }

    // Digits of the mantissa without sign, point, or leading and trailing zeros: "1.50E+21" → "15".
    private static string SignificantDigits(string number)
    {
        var mantissa = number.Split('e', 'E')[0];
        return mantissa.Replace("-", "").Replace(".", "").Trim('0');
    }

    private static string Print(double value) =>
        value.ToString("R", CultureInfo.InvariantCulture) + " (0x" + BitConverter.DoubleToInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture) + ")";
}
