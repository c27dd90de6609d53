using HealthPortal.Features.DemoMode;
namespace HealthPortal.Features.Demo;

public static class DemoExtensions
{
    public static IServiceCollection AddDemoSeeding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DemoOptions>()
            .Bind(configuration.GetSection(DemoOptions.Section))
            .Validate(demo => !demo.Seed || demo.Password.Length >= 12,
                $"{DemoOptions.Section}:Password must be at least 12 characters when demo seeding is on.")
            .ValidateOnStart();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<DemoLedgerSeeder>();
        services.AddScoped<DemoRecordSeeder>();
        return services;
    }

    public static async Task SeedDemoDataIfEnabledAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        if (!scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value.Seed) return;
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        // Component tests seed the portal database alone; the running app always has the ledger registered.
        if (scope.ServiceProvider.GetService<DemoLedgerSeeder>() is { } ledgerSeeder) await ledgerSeeder.SeedAsync();
        if (scope.ServiceProvider.GetService<DemoRecordSeeder>() is { } recordSeeder) await recordSeeder.SeedAsync();
    }
}
