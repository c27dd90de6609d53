using System.Globalization;

namespace HealthPortal.Tests.Ledger.Canonical;

/// <summary>
/// A deliberately simple ECMAScript <c>Number::toString</c> (ECMA-262, radix 10) used only to check
/// <see cref="HealthPortal.Ledger.Canonical.JcsNumber"/>. It does not use the "R" format: it tries
/// 1, 2, … 17 significant digits with the correctly rounded "E" format until the text parses back
/// to the same double, then follows the spec's four layout cases literally. Slow on purpose.
/// </summary>
internal static class ReferenceJcsNumber
{
    public static string Format(double x)
    {
        if (x == 0) return "0";
        if (x < 0) return "-" + Format(-x);

        // Find s (digits), k (digit count) and n (x = 0.s × 10^n).
        string s = "";
        var n = 0;
        for (var precision = 1; precision <= 17; precision++)
        {
            var e = x.ToString("E" + (precision - 1), CultureInfo.InvariantCulture); // d.ddddE+xxx
            if (double.Parse(e, CultureInfo.InvariantCulture) != x) continue;
            var mantissa = e[..e.IndexOf('E')].Replace(".", "");
            s = mantissa.TrimEnd('0');
            n = int.Parse(e[(e.IndexOf('E') + 1)..], CultureInfo.InvariantCulture) + 1;
            break;
        }
        var k = s.Length;

        if (k <= n && n <= 21) return s + new string('0', n - k);
        if (0 < n && n <= 21) return s[..n] + "." + s[n..];
        if (-6 < n && n <= 0) return "0." + new string('0', -n) + s;
        var exponent = (n - 1 < 0 ? "-" : "+") + Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture);
        return k == 1 ? s + "e" + exponent : s[..1] + "." + s[1..] + "e" + exponent;
    }
}
