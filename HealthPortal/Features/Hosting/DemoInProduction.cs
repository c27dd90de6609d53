using HealthPortal.Features.DemoMode;
using Microsoft.Extensions.Configuration.Json;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// The shipped <c>appsettings.json</c> switches demo seeding on with a published password, which is right for
/// <c>dotnet run</c> and wrong for a hospital. Outside Development its demo values count for nothing: seeding runs only
/// when <c>HealthPortal:Demo:Seed</c> is set to true somewhere else (environment, command line,
/// <c>appsettings.Production.json</c>), and then the password must come from there as well.
/// </summary>
public static class DemoInProduction
{
    public const string ShippedFile = "appsettings.json";

    public static void Apply(IServiceCollection services, IConfiguration configuration)
    {
        var seed = ExplicitValue(configuration, DemoOptions.Section + ":Seed");
        var password = ExplicitValue(configuration, DemoOptions.Section + ":Password");
        services.PostConfigure<DemoOptions>(demo =>
        {
            demo.Seed = bool.TryParse(seed, out var on) && on;
            demo.Password = password ?? "";
        });
        services.AddOptions<DemoOptions>()
            .Validate(demo => !demo.Seed || password is not null,
                $"{DemoOptions.Section}:Seed is on but {DemoOptions.Section}:Password is not set outside the shipped {ShippedFile}, whose published demo password is never used outside Development: " +
                "set HealthPortal__Demo__Password (12 or more characters) or switch seeding off")
            .ValidateOnStart();
    }

    /// <summary>The value that wins for <paramref name="key"/>, or null when it is unset or the winner is the shipped file.</summary>
    public static string? ExplicitValue(IConfiguration configuration, string key)
    {
        if (configuration is not IConfigurationRoot root) return configuration[key];
        // Later providers override earlier ones, so the first that has the key, from the end, is the one in force.
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out var value)) continue;
            return provider is JsonConfigurationProvider { Source.Path: ShippedFile } ? null : value;
        }
        return null;
    }
}
