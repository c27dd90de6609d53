using System.Globalization;

namespace HealthPortal.Features.Times;

/// <summary>
/// One person's clock: converts stored UTC instants to their zone (a facility's for its staff, the profile's for a
/// patient) and back, and writes dates day first ("6 Dec 2026, 14:30") the way en-GB and Myanmar readers expect,
/// never the US month-first order. Pages get it as a cascading value from the layout (<see cref="Default"/> when
/// rendered alone); nothing converted here is stored.
/// </summary>
public sealed class UserTime(TimeZoneInfo zone)
{
    /// <summary>Day-first English dates with English month names ("6 Dec 2026").</summary>
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Burmese month names (ICU's my-MM data); the patterns here are explicit, so dates stay day first.</summary>
    public static readonly CultureInfo Burmese = CultureInfo.GetCultureInfo("my-MM");

    /// <summary>
    /// The culture whose month names the reader gets: the page's language (the request's UI culture, chosen by the
    /// person: Features/Localization), English unless it is Burmese. Every format string here is explicit and day first.
    /// </summary>
    public static CultureInfo Culture => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "my" ? Burmese : English;

    public static UserTime Default { get; } = new(PortalTimeZones.Default);

    public static UserTime For(string? zoneId) => new(PortalTimeZones.Find(zoneId));

    public TimeZoneInfo Zone { get; } = zone;

    public string ZoneId => Zone.Id;

    /// <summary>"Yangon time" / "UTC": what a date or time label adds so nobody guesses.</summary>
    public string ZoneName => Zone.Id is "UTC" or "Etc/UTC" ? "UTC" : PortalTimeZones.CityTime(Zone.Id);

    /// <summary>The instant as wall-clock time in this zone (its offset included).</summary>
    public DateTimeOffset Local(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, Zone);

    /// <summary>A stored UTC <see cref="System.DateTime"/> (kind Utc or Unspecified, as EF reads it) in this zone.</summary>
    public DateTimeOffset Local(DateTime utc) => Local(new DateTimeOffset(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc)));

    /// <summary>"6 Dec 2026, 14:30".</summary>
    public string Format(DateTimeOffset utc) => Local(utc).ToString("d MMM yyyy, HH:mm", Culture);

    public string Format(DateTime utc) => Local(utc).ToString("d MMM yyyy, HH:mm", Culture);

    /// <summary>"6 Dec 2026, 14:30:05" where seconds matter (audit trails, ledger blocks).</summary>
    public string FormatSeconds(DateTimeOffset utc) => Local(utc).ToString("d MMM yyyy, HH:mm:ss", Culture);

    /// <summary>"6 Dec 2026".</summary>
    public string Date(DateTimeOffset utc) => Local(utc).ToString("d MMM yyyy", Culture);

    /// <summary>
    /// A record's day as the ledger's anchor holds it (yyyy-MM-dd, the clinical date the facility gave, no time and so
    /// no zone to convert), shown "6 Dec 2026" like every other date; anything else as it is.
    /// </summary>
    public static string Day(string ledgerDate) =>
        DateOnly.TryParseExact(ledgerDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.ToString("d MMM yyyy", Culture)
            : ledgerDate;

    /// <summary>"14:30".</summary>
    public string Time(DateTimeOffset utc) => Local(utc).ToString("HH:mm", Culture);

    /// <summary>"6 Dec 14:30" for recent events in lists.</summary>
    public string Short(DateTimeOffset utc) => Local(utc).ToString("d MMM, HH:mm", Culture);

    /// <summary>A span: "6 Dec 2026, 14:30–14:55" on one local day, else both ends in full.</summary>
    public string Span(DateTimeOffset first, DateTimeOffset last)
    {
        var (a, b) = (Local(first), Local(last));
        if (a == b) return Format(first);
        return a.Date == b.Date ? $"{Format(first)}–{b.ToString("HH:mm", Culture)}" : $"{Format(first)} – {Format(last)}";
    }

    /// <summary>
    /// A date and time typed in this zone as the UTC instant to store (null without a date). A wall-clock time that
    /// does not exist (skipped by a daylight-saving change) is read as the same time after the change.
    /// </summary>
    public DateTime? ToUtc(DateTime? localDate, TimeSpan? localTime)
    {
        if (localDate is not { } d) return null;
        var wall = System.DateTime.SpecifyKind(d.Date + (localTime ?? TimeSpan.Zero), DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(wall)) wall = wall.AddHours(1);
        return TimeZoneInfo.ConvertTimeToUtc(wall, Zone);
    }

    /// <summary>The local date and time-of-day pickers show for a stored UTC instant (the inverse of <see cref="ToUtc"/>).</summary>
    public (DateTime Date, TimeSpan Time) ToPickers(DateTime utc)
    {
        var local = Local(utc).DateTime;
        return (local.Date, local.TimeOfDay);
    }

    /// <summary>Today's date in this zone (what "today" means to the person, not to the server).</summary>
    public DateOnly Today(DateTimeOffset utcNow) => DateOnly.FromDateTime(Local(utcNow).DateTime);

    /// <summary>"UTC+06:30".</summary>
    public static string Offset(TimeSpan offset) =>
        "UTC" + (offset < TimeSpan.Zero ? "−" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
