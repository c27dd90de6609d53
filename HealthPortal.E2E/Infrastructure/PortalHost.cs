using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// The real HealthPortal app on Kestrel (127.0.0.1, a free port) with a data folder of its own.
/// One per test class (<c>IClassFixture</c>); derive and override <see cref="ConfigureSettings"/> for a
/// differently configured portal, e.g. one without demo data.
/// </summary>
public class PortalHost : IAsyncLifetime
{
    private Factory? factory;

    /// <summary>A fresh temporary folder holding everything the app stores; deleted when the host is disposed.</summary>
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("healthportal-e2e-").FullName;

    /// <summary>
    /// <c>http://localhost:{port}/</c>. Browsers must use this rather than 127.0.0.1: WebAuthn refuses IP-address
    /// origins, and localhost is a secure context over plain HTTP.
    /// </summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The app's log lines, kept so a failing test can save them beside its screenshot.</summary>
    public ServerLog Log { get; } = new();

    /// <summary>The running app's services (configuration, stores) for arranging or checking state directly.</summary>
    public IServiceProvider Services => Started.Services;

    private Factory Started => factory ?? throw new InvalidOperationException("The portal has not been started.");

    /// <summary>
    /// Adds or replaces configuration values before the app starts. Keys use the app's configuration names,
    /// e.g. <c>HealthPortal:Demo:Seed</c>.
    /// </summary>
    protected virtual void ConfigureSettings(IDictionary<string, string?> settings)
    {
    }

    /// <summary>
    /// Changes the app's services after its own registrations, for what has no configuration key (e.g. how long the
    /// server keeps a disconnected Blazor circuit).
    /// </summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["HealthPortal:DataFolder"] = DataFolder,
            // The Data Protection key ring encrypted at rest as in Production (which refuses to start without a key).
            ["HealthPortal:KeyRing:KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            // Proof of work is a genesis parameter: cheap here so each class's fresh, seeded portal starts fast.
            ["Ledger:Genesis:FacilityPowDifficultyBits"] = "8",
            ["Ledger:Genesis:PatientPowDifficultyBits"] = "10",
            // The Identity template still reads this; harmless once the app keeps everything under DataFolder.
            ["ConnectionStrings:DefaultConnection"] = $"Data Source={Path.Combine(DataFolder, "identity.db")}",
            // Circuit exceptions reach the browser console in full, so a failure's console log says what broke.
            ["DetailedErrors"] = "true",
        };
        ConfigureSettings(settings);

        factory = new Factory(builder =>
        {
            // Development serves static web assets (blazor.web.js, scoped CSS) straight from the build output
            // the way `dotnet run` does; another environment would need a publish step first.
            builder.UseEnvironment("Development");
            // The test output holds the one deployment appsettings.json (linked into the app and copied along);
            // the app project folder, the factory's default, has none. Web assets come from the static web assets
            // manifest in Development, whatever the content root.
            builder.UseContentRoot(AppContext.BaseDirectory);
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.AddProvider(Log));
            builder.ConfigureTestServices(ConfigureServices);
        });
        factory.UseKestrel(0);
        // StartServer blocks while the app boots (migrations, seeding); keep that off xunit's few runner threads.
        await Task.Run(factory.StartServer);

        var listening = factory.ClientOptions.BaseAddress;
        BaseUrl = new Uri($"http://localhost:{listening.Port}/");
    }

    public async Task DisposeAsync()
    {
        if (factory is not null)
            await factory.DisposeAsync();
        Directory.Delete(DataFolder, recursive: true);
    }

    private sealed class Factory(Action<IWebHostBuilder> configure) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => configure(builder);
    }
}
