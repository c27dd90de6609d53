using HealthPortal.Features.Access;

namespace HealthPortal.Features.BreakGlass;

public static class BreakGlassExtensions
{
    /// <summary>Emergency access: the staff permission, the sessions it opens, and the admins' review of each access.</summary>
    public static WebApplicationBuilder AddBreakGlass(this WebApplicationBuilder builder)
    {
        builder.Services.AddBreakGlassServices();
        // Needs the patient notices' mail words (AddPatientNotices), which hosts without a web application lack.
        builder.Services.AddSingleton<BreakGlassReviewNotices>();
        return builder;
    }

    /// <summary>The services alone, for hosts without a web application (component tests).</summary>
    public static IServiceCollection AddBreakGlassServices(this IServiceCollection services)
    {
        services.AddSingleton<BreakGlassSessions>();
        services.AddSingleton<IBreakGlassWords, BreakGlassWords>();
        services.AddScoped<BreakGlassReviews>();
        services.AddScoped<EmergencyAccess>();
        return services;
    }
}
