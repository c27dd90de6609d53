using System.Text.RegularExpressions;

namespace HealthPortal.Components.Account;

/// <summary>
/// Whether a ReturnUrl stays on this site. Browsers read more than <see cref="Uri"/> does into a URL: a backslash as
/// a slash (<c>/\evil.example</c>), tabs and newlines as nothing (<c>/&#9;/evil.example</c>), and a scheme without
/// slashes (<c>http:evil.example</c>) as absolute; all of these leave the site.
/// </summary>
public static partial class LocalUrl
{
    public static bool IsLocal(string? url) =>
        string.IsNullOrEmpty(url)
        || (!url.Any(c => char.IsControl(c) || c == '\\')
            && !url.StartsWith("//", StringComparison.Ordinal)
            && !Scheme().IsMatch(url)
            && Uri.IsWellFormedUriString(url, UriKind.Relative));

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();
}
