using HealthPortal.Features.Consortium;
using HealthPortal.Features.DemoMode;
using Microsoft.Extensions.Options;
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
        services.AddScoped<DemoFamilySeeder>();
        services.AddScoped<DemoMpiSeeder>();
        services.AddHostedService<ConsortiumDemoSeeding>();
        return services;
    }

    public static async Task SeedDemoDataIfEnabledAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        if (!scope.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value.Seed) return;
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        // A consortium node's ledger facts wait for a quorum of nodes that start on their own time: that part runs in
        // the background (ConsortiumDemoSeeding) so the node serves its pages and /node/status meanwhile.
        if (ConsortiumDemoSeeding.IsConsortiumNode(scope.ServiceProvider)) return;
        // Component tests seed the portal database alone; the running app always has the ledger registered.
        if (scope.ServiceProvider.GetService<DemoLedgerSeeder>() is { } ledgerSeeder) await ledgerSeeder.SeedAsync();
        if (scope.ServiceProvider.GetService<DemoRecordSeeder>() is { } recordSeeder) await recordSeeder.SeedAsync();
        if (scope.ServiceProvider.GetService<DemoFamilySeeder>() is { } familySeeder) await familySeeder.SeedAsync();
        if (scope.ServiceProvider.GetService<DemoMpiSeeder>() is { } mpiSeeder) await mpiSeeder.SeedAsync();
    }
}

/// <summary>
/// A consortium node's demo ledger facts (its patients' registrations, its records' anchors), submitted once the
/// replicated ledger takes writes. Every node of <c>consortium up</c> starts at its own pace and the first ones have no
/// quorum yet, so submissions answer "network busy"; this retries the (idempotent) seeding every 2 s for at most
/// 5 minutes, then gives up with an error in the log. Does nothing in the embedded mode, where seeding is synchronous.
/// </summary>
public sealed class ConsortiumDemoSeeding(IServiceProvider services, ILogger<ConsortiumDemoSeeding> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);
    private const int MaxAttempts = 150;

    public static bool IsConsortiumNode(IServiceProvider services)
        => services.GetRequiredService<IOptions<DemoOptions>>().Value is { Seed: true, Facility.Length: > 0 }
           && services.GetService<IOptions<NetworkSettings>>()?.Value.IsRaft == true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsConsortiumNode(services)) return;
        for (var attempt = 1; attempt <= MaxAttempts && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DemoLedgerSeeder>().SeedAsync(stoppingToken);
                var busy = await scope.ServiceProvider.GetRequiredService<DemoRecordSeeder>().SeedAsync(stoppingToken);
                if (busy == 0)
                {
                    logger.LogInformation("Demo ledger facts of this node are on the replicated ledger");
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException e)
            {
                // The seeders throw on a refusal; while the consortium has no leader that is "network busy".
                if (attempt == MaxAttempts)
                {
                    logger.LogError(e, "Demo ledger seeding gave up after {Attempts} attempts", attempt);
                    return;
                }
                logger.LogInformation("Demo ledger seeding waits for the consortium (attempt {Attempt}): {Reason}", attempt, e.Message);
            }
            try { await Task.Delay(RetryEvery, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
