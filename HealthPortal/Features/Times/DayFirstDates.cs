using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthPortal.Features.Times;

/// <summary>What a typed date means: the date, or why it is not one (in words for the person who typed it).</summary>
public readonly record struct DateReading(DateTime? Date, string? Problem)
{
    public bool IsDate => Problem is null;
}

/// <summary>
/// Dates typed and shown day first, the en-GB way Myanmar's English-language forms and documents write them
/// ("07/12/2026" for 7 December 2026; pages show "7 Dec 2026" through <see cref="UserTime"/>). The month-first US form
/// is never guessed: "12/31/2026" is refused with the reason, and a day and month that could be either way round are
/// always read day first, so a date is never silently swapped. Storage stays ISO (yyyy-MM-dd) and UTC; this is only
/// what people type.
/// </summary>
public static partial class DayFirstDates
{
    /// <summary>What date fields show and what their placeholder asks for.</summary>
    public const string Format = "dd/MM/yyyy";

    public const string Placeholder = "dd/mm/yyyy";

    /// <summary>The date as a date field shows it.</summary>
    public static string Text(DateTime date) => date.ToString(Format, UserTime.Culture);

    /// <summary>
    /// Reads "7/12/2026", "07.12.2026", "07-12-2026", "7 Dec 2026", "7 December 2026" day first, and the unambiguous
    /// ISO "2026-12-07" (year first, as a pasted or exported date is written). Blank is no date, not a problem.
    /// </summary>
    public static DateReading Read(string? text)
    {
        var typed = (text ?? "").Trim();
        if (typed.Length == 0) return new(null, null);

        if (Iso().Match(typed) is { Success: true } iso)
            return Build(Number(iso.Groups["d"]), Number(iso.Groups["m"]), Number(iso.Groups["y"]), typed);

        if (Numeric().Match(typed) is { Success: true } numeric)
        {
            var year = numeric.Groups["y"].Value;
            if (year.Length != 4)
                return Refused($"Type the year in full: \"{typed}\" could be in more than one century ({Placeholder}).");
            return Build(Number(numeric.Groups["d"]), Number(numeric.Groups["m"]), Number(numeric.Groups["y"]), typed);
        }

        if (Named().Match(typed) is { Success: true } named)
        {
            if (MonthByName(named.Groups["m"].Value) is not { } month)
                return Refused($"\"{named.Groups["m"].Value}\" is not a month. Type the date as {Placeholder}, e.g. 07/12/2026.");
            if (named.Groups["y"].Value.Length != 4)
                return Refused($"Type the year in full: \"{typed}\" could be in more than one century ({Placeholder}).");
            return Build(Number(named.Groups["d"]), month, Number(named.Groups["y"]), typed);
        }

        return Refused($"\"{typed}\" is not a date. Type it day first as {Placeholder}, e.g. 07/12/2026 for 7 December 2026.");
    }

    private static DateReading Build(int day, int month, int year, string typed)
    {
        if (year < 1)
            return Refused($"\"{typed}\" is not a date: there is no year 0.");
        if (month is < 1 or > 12)
        {
            // "12/31/2026" is a US date to most people who type it, but reading it so would make "03/04/2026" mean two
            // different days on one form. The reason says which order is expected instead of turning the date round.
            return day is >= 1 and <= 12
                ? Refused($"\"{typed}\" is not a date: there is no month {month}. Dates are typed day first ({Placeholder}), so 31 December 2026 is 31/12/2026.")
                : Refused($"\"{typed}\" is not a date: there is no month {month}.");
        }
        var monthName = UserTime.Culture.DateTimeFormat.GetMonthName(month);
        var days = DateTime.DaysInMonth(year, month);
        if (day < 1 || day > days)
            return Refused($"\"{typed}\" is not a date: {monthName} {year} has {days} days.");
        return new(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified), null);
    }

    private static DateReading Refused(string problem) => new(null, problem);

    private static int Number(Group group) =>
        int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

    private static int? MonthByName(string name)
    {
        // English month names are read under either language (people type "7 Dec 2026" on a Burmese page too).
        foreach (var format in new[] { UserTime.Culture.DateTimeFormat, UserTime.English.DateTimeFormat }.Distinct())
        {
            for (var month = 1; month <= 12; month++)
            {
                if (string.Equals(name, format.GetMonthName(month), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(name, format.GetAbbreviatedMonthName(month), StringComparison.OrdinalIgnoreCase)
                    // en-GB abbreviates September as "Sept"; people also write "Sep".
                    || (month == 9 && string.Equals(name, "Sep", StringComparison.OrdinalIgnoreCase)))
                    return month;
            }
        }
        return null;
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso();

    [GeneratedRegex(@"^(?<d>\d{1,2})\s*[/.\-]\s*(?<m>\d{1,2})\s*[/.\-]\s*(?<y>\d{1,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex Numeric();

    [GeneratedRegex(@"^(?<d>\d{1,2})\s+(?<m>[A-Za-z]+)\.?,?\s+(?<y>\d{1,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex Named();
}
