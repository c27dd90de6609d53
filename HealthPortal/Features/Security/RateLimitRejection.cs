using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace HealthPortal.Features.Security;

/// <summary>Answers a refused request with 429, a Retry-After header and a body a person (or API client) can read.</summary>
internal static class RateLimitRejection
{
    public const string Message = "Too many attempts from your network. Please wait a few minutes and try again.";

    public static async ValueTask WriteAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        var request = rejected.HttpContext.Request;
        response.StatusCode = StatusCodes.Status429TooManyRequests;

        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        if (WantsProblemDetails(request))
        {
            await response.WriteAsJsonAsync(new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"{Message} Retry after {seconds} seconds.",
                Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
            }, options: null, contentType: "application/problem+json", cancellationToken);
            return;
        }

        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Too many attempts - HealthPortal</title>
            <link rel="stylesheet" href="/account.css"></head>
            <body class="account"><main class="account-main"><section class="account-card">
            <h1>Too many attempts</h1>
            <p role="alert">{{WebUtility.HtmlEncode(Message)}}</p>
            <p>You can try again in about {{seconds}} seconds.</p>
            <p><a href="/">Back to HealthPortal</a></p>
            </section></main></body></html>
            """, cancellationToken);
    }

    private static bool WantsProblemDetails(HttpRequest request) =>
        request.Path.StartsWithSegments("/api")
        || request.Headers.Accept.Any(accept => accept is not null && accept.Contains("json", StringComparison.OrdinalIgnoreCase));
}
