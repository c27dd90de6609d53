using HealthPortal.Features.ActingFor;

namespace HealthPortal.Features.Delegation;

public static class DelegationExtensions
{
    /// <summary>The patient's delegations page and its service; the read-time checks are ActingFor's.</summary>
    public static WebApplicationBuilder AddDelegation(this WebApplicationBuilder builder)
    {
        builder.Services.AddDelegationServices();
        return builder;
    }

    public static IServiceCollection AddDelegationServices(this IServiceCollection services)
    {
        services.AddActingForServices();
        services.AddScoped<PatientDelegations>();
        return services;
    }
}
