using HealthPortal.Features.Security;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// Which origin a passkey ceremony must come from, and which relying party it is for. Identity's default compares the
/// origin the authenticator signed with the request's <c>Origin</c> header; but the portal sends
/// <c>Referrer-Policy: no-referrer</c>, under which browsers send <c>Origin: null</c> with a form post, so every
/// passkey registration and sign-in was refused ("invalid origin") in every environment. The expected origin is the
/// public one instead: <c>HealthPortal:PublicBaseUrl</c>'s scheme, host and port when configured (required outside
/// Development, and what people type, whether TLS ends at Kestrel or at a proxy); otherwise the request's own scheme
/// and host after the trusted proxy's forwarded headers. The relying party id is the public host, so a passkey belongs
/// to the address people use, not to whichever host name reached the node.
/// </summary>
public static class PasskeyOrigin
{
    public static void AddTo(IServiceCollection services) =>
        services.AddOptions<IdentityPasskeyOptions>().Configure<PublicUrls>((options, urls) =>
        {
            if (urls.Base is { } publicBase) options.ServerDomain = publicBase.IdnHost;
            options.ValidateOrigin = context => ValueTask.FromResult(IsExpected(context.Origin, context.CrossOrigin, urls.Base, context.HttpContext.Request));
        });

    /// <summary>
    /// The signed origin is the expected one, compared as URIs (scheme and host case-insensitive, default ports
    /// implied), and did not come from a cross-origin frame.
    /// </summary>
    public static bool IsExpected(string? origin, bool crossOrigin, Uri? publicBase, HttpRequest request)
    {
        if (crossOrigin || string.IsNullOrEmpty(origin) || !Uri.TryCreate(origin, UriKind.Absolute, out var signed)) return false;
        var expected = publicBase is not null
            ? new Uri(publicBase.GetLeftPart(UriPartial.Authority))
            : Uri.TryCreate($"{request.Scheme}://{request.Host.ToUriComponent()}", UriKind.Absolute, out var own) ? own : null;
        return expected is not null
            && string.Equals(signed.Scheme, expected.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(signed.IdnHost, expected.IdnHost, StringComparison.OrdinalIgnoreCase)
            && signed.Port == expected.Port
            && signed.AbsolutePath == "/";
    }
}
