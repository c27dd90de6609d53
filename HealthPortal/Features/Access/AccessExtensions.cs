using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;

namespace HealthPortal.Features.Access;

public static class AccessExtensions
{
    /// <summary>Who accessed a patient's records (from the ledger's access.log) and the facilities' desk-lookup audit trail.</summary>
    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddAccessServices();
        builder.Services.AddSingleton<FacilityAuditTrail>();
        builder.Services.AddScoped<FacilityAuditLog>();
        var configuration = builder.Configuration;
        builder.Services.AddOptions<AccessAlertOptions>().Bind(configuration.GetSection(AccessAlertOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    /// <summary>The services alone, for hosts without a web application (component tests).</summary>
    public static IServiceCollection AddAccessServices(this IServiceCollection services)
    {
        services.AddScoped<AccessViews>();
        services.AddScoped<PatientAccessLog>();
        services.AddScoped<DelegatedActs>();
        return services;
    }

    public const string ExportRoute = "/patient/access/audit-events/{mpi}";

    public static string ExportUrl(string mpi) => "patient/access/audit-events/" + Uri.EscapeDataString(mpi);

    /// <summary>
    /// The patient's access log as a FHIR Bundle of AuditEvents, downloaded as a file. The folder policy lets patients
    /// in; the service then authorizes the caller for this MPI number, so another patient's number is refused.
    /// </summary>
    public static WebApplication MapAccessEndpoints(this WebApplication app)
    {
        app.MapGet(ExportRoute, async (string mpi, HttpContext http, PatientAccessLog log) =>
                await log.AuditEventsAsync(http.User, mpi) is { } bundle
                    ? Results.File(System.Text.Encoding.UTF8.GetBytes(AccessAuditEvents.Serialize(bundle)), "application/fhir+json", $"access-log-{mpi}.json")
                    : Results.Forbid())
            .RequireAuthorization(PortalPolicies.PatientPortal);
        return app;
    }
}
