using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Mpi;

/// <summary>Why text is not a date of birth.</summary>
public enum DateError
{
    None,
    Empty,
    /// <summary>Not three numbers (day, month, year) or an ISO date.</summary>
    Unreadable,
    /// <summary>Three numbers that are no calendar date (31/02/1980, month 13).</summary>
    NoSuchDate,
}

/// <summary>How two birth dates agree, from the strongest to none.</summary>
public enum DateAgreement
{
    Missing,
    Exact,
    /// <summary>Day and month swapped (04/03/1980 against 03/04/1980): the common error where day-first meets month-first.</summary>
    SwappedDayMonth,
    /// <summary>One digit different, or the same day and month a year apart: a typing error.</summary>
    Typo,
    /// <summary>Same year only.</summary>
    SameYear,
    Disagree,
}

/// <summary>
/// Dates of birth as Myanmar registers write them: day first (<c>3-4-1980</c>, <c>04/03/1980</c>, <c>4.3.80</c>), ISO
/// (<c>1980-03-04</c>), and in Burmese digits. Two-digit years are read in the century that puts the date in the past.
/// </summary>
public static class MpiDates
{
    public static Result<DateOnly, DateError> Parse(string? input, int currentYear = 2026)
    {
        var text = MyanmarText.AsciiDigits(input ?? "").Trim();
        if (text.Length == 0) return Result.Fail(DateError.Empty, "Enter the date of birth.");
        var parts = text.Split(['/', '-', '.', ' ', '\u104A', '\u104B'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts.Any(p => !p.All(char.IsAsciiDigit) || p.Length > 4))
            return Result.Fail(DateError.Unreadable, "Write the date of birth day first, as 04/03/1980.");
        var n = parts.Select(int.Parse).ToArray();
        int day, month, year;
        if (parts[0].Length == 4) (year, month, day) = (n[0], n[1], n[2]);
        else
        {
            (day, month, year) = (n[0], n[1], n[2]);
            if (parts[2].Length <= 2) year += year + 2000 > currentYear ? 1900 : 2000;
        }
        if (year < 1880 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return Result.Fail(DateError.NoSuchDate, $"{text} is not a date (day first: day, month, year).");
        return new DateOnly(year, month, day);
    }

    public static DateAgreement Compare(DateOnly? a, DateOnly? b)
    {
        if (a is not { } x || b is not { } y) return DateAgreement.Missing;
        if (x == y) return DateAgreement.Exact;
        if (x.Year == y.Year && x.Day == y.Month && x.Month == y.Day) return DateAgreement.SwappedDayMonth;
        if (DigitsApart(x, y) == 1 || (x.Month == y.Month && x.Day == y.Day && Math.Abs(x.Year - y.Year) == 1)) return DateAgreement.Typo;
        return x.Year == y.Year ? DateAgreement.SameYear : DateAgreement.Disagree;
    }

    private static int DigitsApart(DateOnly x, DateOnly y)
    {
        var a = x.ToString("ddMMyyyy", System.Globalization.CultureInfo.InvariantCulture);
        var b = y.ToString("ddMMyyyy", System.Globalization.CultureInfo.InvariantCulture);
        var diff = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) diff++;
        return diff;
    }
}
