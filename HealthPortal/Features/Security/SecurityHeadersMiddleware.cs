namespace HealthPortal.Features.Security;

/// <summary>Adds the browser hardening headers to every response, static files and errors included.</summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // Blazor Server needs no eval and no inline script; MudBlazor writes inline style attributes and its
    // theme as a <style> element, hence 'unsafe-inline' for styles only. data:/blob: images carry QR codes,
    // the camera (Permissions-Policy) is for scanning MPI cards at the front desk. 'wasm-unsafe-eval' lets the
    // vendored BarcodeDetector polyfill compile its own WebAssembly decoder (served from 'self'); it allows no JS eval.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        // Set when the response starts, so that nothing further down the pipeline (Blazor adds its own
        // frame-ancestors policy to interactive pages) replaces them.
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (MustNotBeStored((HttpContext)state))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    /// <summary>
    /// Health data must not stay behind in a browser's or a proxy's cache: every FHIR interop answer (signed
    /// facility calls carry no cookie) and every response to a signed-in user (pages, record and receipt downloads,
    /// exports, personal data), except the fingerprinted static files, which are the same for everyone.
    /// </summary>
    internal static bool MustNotBeStored(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/fhir")
        || (context.User.Identity?.IsAuthenticated == true
            && context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is null);
}
