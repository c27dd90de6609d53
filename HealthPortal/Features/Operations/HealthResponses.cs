using System.Text.Json;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthPortal.Features.Operations;

/// <summary>
/// What a health endpoint answers: the status word for everyone (load balancers and orchestrators need no more), and
/// the JSON detail of every check only for a signed-in administrator, because the detail names facilities, the
/// ledger's height and internal errors.
/// </summary>
internal static class HealthResponses
{
    public static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.Headers.CacheControl = "no-store";
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        var isAdmin = http.User.Identity?.IsAuthenticated == true
            && (await authorization.AuthorizeAsync(http.User, PortalPolicies.AdminPortal)).Succeeded;
        if (!isAdmin)
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(report.Status.ToString());
            return;
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = e.Value.Duration.TotalMilliseconds,
                data = e.Value.Data,
            }),
        });
    }
}
