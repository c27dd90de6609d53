namespace HealthPortal.Features.Children;

public static class ChildrenExtensions
{
    /// <summary>Children registered by a guardian, attested by a facility (issue 14); the acting-for checks are ActingFor's.</summary>
    public static WebApplicationBuilder AddChildren(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChildrenOptions>().Bind(builder.Configuration.GetSection(ChildrenOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddChildrenServices();
        return builder;
    }

    public static IServiceCollection AddChildrenServices(this IServiceCollection services)
    {
        services.AddOptions<ChildrenOptions>();
        services.AddScoped<ChildGuardianships>();
        services.AddScoped<ChildTakeovers>();
        services.AddScoped<ChildTakeoverRedemption>();
        services.AddSingleton(new Shell.AppBarItem(typeof(TakeoverPending)));
        return services;
    }
}
