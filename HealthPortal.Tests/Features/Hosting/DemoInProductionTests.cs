using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Hosting;

/// <summary>Outside Development the shipped appsettings.json (demo on, published password) decides nothing about demo data.</summary>
public sealed class DemoInProductionTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("hp-demo-prod-");

    private DemoOptions Resolve(IDictionary<string, string?> explicitSettings)
    {
        File.WriteAllText(Path.Combine(folder.FullName, "appsettings.json"),
            """{ "HealthPortal": { "Demo": { "Seed": true, "Password": "demo-portal-2026" } } }""");
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(new PhysicalFileProvider(folder.FullName), "appsettings.json", optional: false, reloadOnChange: false)
            .AddInMemoryCollection(explicitSettings)
            .Build();
        var services = new ServiceCollection();
        services.AddDemoSeeding(configuration);
        DemoInProduction.Apply(services, configuration);
        return services.BuildServiceProvider().GetRequiredService<IOptions<DemoOptions>>().Value;
    }

    [Fact]
    public void ShippedFileAlone_SeedsNothing_AndKeepsNoPassword()
    {
        var demo = Resolve(new Dictionary<string, string?>());

        Assert.False(demo.Seed);
        Assert.Equal("", demo.Password);
    }

    [Fact]
    public void SeedSwitchedOnExplicitly_WithOwnPassword_Seeds()
    {
        var demo = Resolve(new Dictionary<string, string?> { ["HealthPortal:Demo:Seed"] = "true", ["HealthPortal:Demo:Password"] = "an-operator-secret" });

        Assert.True(demo.Seed);
        Assert.Equal("an-operator-secret", demo.Password);
    }

    [Fact]
    public void SeedSwitchedOnExplicitly_WithOnlyTheShippedPassword_IsRefused()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(new Dictionary<string, string?> { ["HealthPortal:Demo:Seed"] = "true" }));

        Assert.Contains(refused.Failures, f => f.Contains("HealthPortal__Demo__Password", StringComparison.Ordinal));
    }

    [Fact]
    public void ExplicitValue_IgnoresOnlyTheShippedFile()
    {
        File.WriteAllText(Path.Combine(folder.FullName, "appsettings.Production.json"), """{ "HealthPortal": { "Demo": { "Seed": false } } }""");
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(new PhysicalFileProvider(folder.FullName), "appsettings.Production.json", optional: false, reloadOnChange: false)
            .Build();

        Assert.Equal("False", DemoInProduction.ExplicitValue(configuration, "HealthPortal:Demo:Seed"));
    }

    public void Dispose() => folder.Delete(recursive: true);
}
