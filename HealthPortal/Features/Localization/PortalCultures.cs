using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace HealthPortal.Features.Localization;

/// <summary>
/// The languages the portal speaks (docs/localization.md). Each page's words come from resource files beside the
/// component (<c>NavMenu.resx</c> for English, <c>NavMenu.my.resx</c> for Burmese); this list is the one place a third
/// language is added.
/// </summary>
public static class PortalCultures
{
    /// <summary>English: the default, and the language of every resource file without a culture suffix.</summary>
    public const string Default = "en";

    public const string Burmese = "my";

    public static readonly IReadOnlyList<string> Supported = [Default, Burmese];

    /// <summary>The cookie the choice is kept in (ASP.NET Core's <see cref="CookieRequestCultureProvider"/> reads it).</summary>
    public static string CookieName => CookieRequestCultureProvider.DefaultCookieName;

    public static bool IsSupported(string? culture) => culture is not null && Supported.Contains(culture, StringComparer.Ordinal);

    /// <summary>The language's name in its own script ("English", "မြန်မာ"): a reader finds their language whatever the page is in.</summary>
    public static string NativeName(string culture) => CultureInfo.GetCultureInfo(culture).NativeName;

    /// <summary>The two-letter language of the words on the current page (what <c>&lt;html lang&gt;</c> says).</summary>
    public static string Current => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var lang && IsSupported(lang) ? lang : Default;

    public static bool IsBurmese => Current == Burmese;

    /// <summary>The cookie's value for <paramref name="culture"/> (only the UI language is chosen; see <see cref="LocalizationExtensions"/>).</summary>
    public static string CookieValue(string culture) => CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture));

    /// <summary>The supported language a culture cookie names, or null when there is none or it names another.</summary>
    public static string? FromCookie(string? cookieValue)
    {
        if (string.IsNullOrEmpty(cookieValue) || CookieRequestCultureProvider.ParseCookieValue(cookieValue) is not { } parsed) return null;
        var ui = parsed.UICultures.FirstOrDefault().Value;
        return IsSupported(ui) ? ui : null;
    }
}
