using Microsoft.AspNetCore.Components;

namespace HealthPortal.Features.Security;

/// <summary>
/// Absolute URLs that leave the browser (QR codes, invitation and e-mailed links, the FHIR base URL and fullUrls) are
/// built from <c>HealthPortal:PublicBaseUrl</c>, never from the request's Host header, which the caller chooses.
/// Without a configured base (Development only) they fall back to the request's own base.
/// </summary>
public sealed class PublicUrls(Uri? baseUrl)
{
    public const string Key = "HealthPortal:PublicBaseUrl";

    /// <summary>The configured base, ending in '/', or null in Development without one.</summary>
    public Uri? Base { get; } = baseUrl;

    /// <summary>The absolute URL of a path on this site; <paramref name="requestBase"/> is used only without a configured base.</summary>
    public string Absolute(string path, string requestBase) =>
        new Uri(Base ?? new Uri(requestBase), path.TrimStart('/')).AbsoluteUri;

    public string Absolute(NavigationManager navigation, string path) => Absolute(path, navigation.BaseUri);

    /// <summary>
    /// Reads the setting: an absolute http(s) URL without query or fragment; https and required outside Development,
    /// where the host filter is built from it. A bad value stops the start with a message naming the key.
    /// </summary>
    public static PublicUrls From(string? configured, bool development)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return development
                ? new PublicUrls(null)
                : throw new InvalidOperationException(
                    $"{Key} is required outside Development: the portal's public address, e.g. https://portal.example.org/. " +
                    "Links, QR codes and FHIR URLs are built from it, and only its host is accepted in the Host header.");
        }
        if (!Uri.TryCreate(configured.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new InvalidOperationException($"{Key} '{configured}' must be an absolute http(s) URL without query, fragment or user name.");
        }
        if (!development && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"{Key} '{configured}' must use https outside Development (session cookies are sent over HTTPS only).");
        }
        return new PublicUrls(uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/"));
    }
}
