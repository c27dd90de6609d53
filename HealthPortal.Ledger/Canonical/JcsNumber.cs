using System.Buffers;
using System.Globalization;
using System.Text;

namespace HealthPortal.Ledger.Canonical;

/// <summary>
/// Formats an IEEE 754 double the way RFC 8785 §3.2.2.3 prescribes, which is ECMAScript's
/// <c>Number.prototype.toString</c> (ECMA-262 Number::toString with radix 10): the shortest digits
/// that round-trip, laid out as a plain integer below 1e21, as <c>0.000ddd</c> down to 1e-6, and in
/// exponent form (<c>1.5e+21</c>, <c>1e-7</c>) otherwise. Negative zero is written as <c>0</c>.
/// </summary>
/// <remarks>
/// The digits come from .NET's round-trip format ("R"), which since .NET Core 3.0 yields the
/// shortest digit string that parses back to the same double and, among those, the one closest to
/// the exact value, the same choice ECMA-262 makes. Only the layout is done here.
/// </remarks>
public static class JcsNumber
{
    /// <summary>Longest text <see cref="Format"/> can produce ("-1.2345678901234567e-308" is 24).</summary>
    internal const int MaxLength = 32;

    /// <summary>Formats a finite double as RFC 8785 prescribes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite;
    /// JSON has no such numbers.</exception>
    public static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(buffer[..FormatAscii(value, buffer)]);
    }

    /// <summary>Appends the RFC 8785 form of a finite double as ASCII bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    internal static void Write(IBufferWriter<byte> output, double value)
    {
        var written = FormatAscii(value, output.GetSpan(MaxLength));
        output.Advance(written);
    }

    private static int FormatAscii(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON numbers are finite.");

        if (value == 0)
        {
            destination[0] = (byte)'0'; // also for -0
            return 1;
        }

        var length = 0;
        if (value < 0)
        {
            destination[length++] = (byte)'-';
            value = -value;
        }

        // value = 0.d1d2…dk × 10^n, with d1 and dk non-zero (ECMA-262's s, k and n).
        Span<byte> digits = stackalloc byte[MaxLength];
        var (k, n) = ShortestDigits(value, digits);
        digits = digits[..k];

        if (k <= n && n <= 21)
        {
            // 1234000: the digits, then n - k zeros.
            digits.CopyTo(destination[length..]);
            length += k;
            destination.Slice(length, n - k).Fill((byte)'0');
            length += n - k;
        }
        else if (0 < n && n <= 21)
        {
            // 12.34: the point falls inside the digits.
            digits[..n].CopyTo(destination[length..]);
            length += n;
            destination[length++] = (byte)'.';
            digits[n..].CopyTo(destination[length..]);
            length += k - n;
        }
        else if (-6 < n && n <= 0)
        {
            // 0.001234: up to five zeros after the point.
            destination[length++] = (byte)'0';
            destination[length++] = (byte)'.';
            destination.Slice(length, -n).Fill((byte)'0');
            length += -n;
            digits.CopyTo(destination[length..]);
            length += k;
        }
        else
        {
            // 1.234e+21, 1e-7: one digit before the point, and the exponent always signed.
            destination[length++] = digits[0];
            if (k > 1)
            {
                destination[length++] = (byte)'.';
                digits[1..].CopyTo(destination[length..]);
                length += k - 1;
            }
            destination[length++] = (byte)'e';
            var exponent = n - 1;
            destination[length++] = exponent < 0 ? (byte)'-' : (byte)'+';
            Math.Abs(exponent).TryFormat(destination[length..], out var expLength, default, CultureInfo.InvariantCulture);
            length += expLength;
        }
        return length;
    }

    /// <summary>
    /// Writes the shortest round-trip significant digits of a positive finite double into
    /// <paramref name="digits"/> and returns their count k and the decimal point position n.
    /// </summary>
    private static (int K, int N) ShortestDigits(double value, Span<byte> digits)
    {
        // "R" gives e.g. "123.456", "0.001", "1E+21", "1.5E-07", "5E-324"; never a sign here.
        Span<byte> text = stackalloc byte[MaxLength];
        if (!value.TryFormat(text, out var textLength, "R", CultureInfo.InvariantCulture))
            throw new InvalidOperationException("The round-trip form of a double did not fit the buffer.");
        text = text[..textLength];

        var exponent = 0;
        var e = text.IndexOfAny((byte)'E', (byte)'e');
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var k = 0;
        var n = exponent;
        var seenPoint = false;
        foreach (var c in text)
        {
            if (c == (byte)'.')
            {
                seenPoint = true;
                continue;
            }
            if (!seenPoint) n++; // each digit before the point moves it one place right
            if (k == 0 && c == (byte)'0')
            {
                n--; // a leading zero carries no significance: 0.001 is 0.1 × 10^-2
                continue;
            }
            digits[k++] = c;
        }
        while (digits[k - 1] == (byte)'0') k--; // 1E+21 has no trailing zeros, but 100 does
        return (k, n);
    }
}
