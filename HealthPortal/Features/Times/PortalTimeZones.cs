namespace HealthPortal.Features.Times;

/// <summary>
/// The time zones a facility or a patient may choose, by IANA id. Storage stays UTC everywhere; a zone only decides how
/// an instant is shown and how a typed date and time is read. The consortium is in Myanmar, so Asia/Yangon (UTC+06:30,
/// no daylight saving) is the default.
/// </summary>
public static class PortalTimeZones
{
    public const string DefaultId = "Asia/Yangon";

    /// <summary>The longest id stored (column length of the facility and profile settings).</summary>
    public const int MaxIdLength = 64;

    /// <summary>Offered in the settings, nearest first; ids every tzdata carries.</summary>
    public static readonly IReadOnlyList<string> Offered =
    [
        "Asia/Yangon", "Asia/Bangkok", "Asia/Kolkata", "Asia/Dhaka", "Asia/Kathmandu", "Asia/Ho_Chi_Minh",
        "Asia/Kuala_Lumpur", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
        "Europe/London", "Europe/Berlin", "America/New_York", "UTC",
    ];

    private static readonly TimeZoneInfo Yangon = Load(DefaultId)
        // A host without tzdata still shows Myanmar time: it has had one fixed offset since 1945.
        ?? TimeZoneInfo.CreateCustomTimeZone(DefaultId, TimeSpan.FromMinutes(390), "Yangon", "Myanmar Time");

    public static TimeZoneInfo Default => Yangon;

    public static bool IsOffered(string? id) => id is not null && Offered.Contains(id, StringComparer.Ordinal);

    /// <summary>The zone of <paramref name="id"/>; the default for an unknown, empty or unloadable id.</summary>
    public static TimeZoneInfo Find(string? id) =>
        string.IsNullOrEmpty(id) || id == DefaultId ? Yangon : Load(id) ?? Yangon;

    /// <summary>"Yangon (UTC+06:30)": the city people know and the offset now.</summary>
    public static string Label(string id)
    {
        var zone = Find(id);
        if (id == "UTC") return "UTC";
        return $"{City(id)} ({UserTime.Offset(zone.GetUtcOffset(DateTimeOffset.UtcNow))})";
    }

    // City names in the reader's language (PortalTimeZones.resx / .my.resx beside this file); one not listed there as in its id.
    private static readonly HealthPortal.Features.Words.ResourceWords Cities = new(typeof(PortalTimeZones));

    /// <summary>"Yangon" for Asia/Yangon, in the reader's language.</summary>
    public static string City(string id)
    {
        var key = id[(id.LastIndexOf('/') + 1)..];
        return Cities.Find(key) ?? key.Replace('_', ' ');
    }

    /// <summary>"Yangon time" for Asia/Yangon, in the reader's language.</summary>
    public static string CityTime(string id) =>
        string.Format(System.Globalization.CultureInfo.CurrentUICulture, Cities.Find("CityTime") ?? "{0} time", City(id));

    private static TimeZoneInfo? Load(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { return null; }
        catch (InvalidTimeZoneException) { return null; }
    }
}
