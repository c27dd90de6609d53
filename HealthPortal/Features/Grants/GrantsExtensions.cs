using HealthPortal.Features.Ledger;
using Microsoft.AspNetCore.Authorization;

namespace HealthPortal.Features.Grants;

public static class GrantsExtensions
{
    /// <summary>The patient's grants and the facilities' access requests.</summary>
    public static WebApplicationBuilder AddGrants(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrantServices();
        return builder;
    }

    /// <summary>The services alone (component tests register them on their own containers).</summary>
    public static IServiceCollection AddGrantServices(this IServiceCollection services)
    {
        // Reads the ledger at every call; a singleton holds nothing but the host and the clock.
        services.AddSingleton(sp => new ActiveGrants(sp.GetRequiredService<LedgerHost>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AccessRequestNotifier>();
        services.AddScoped<PatientGrants>();
        services.AddScoped<AccessRequests>();
        return services;
    }
}
