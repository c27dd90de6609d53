using HealthPortal.Data;
using HealthPortal.Features.Demo;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Support;

/// <summary>
/// The demo portal database plus a real in-process ledger node in one temporary data folder, with the demo
/// consortium registered on the ledger (cheap proof of work), for component tests of the network pages.
/// Tests of a class share it: each works on facilities of its own.
/// </summary>
public sealed class NetworkTestNode : IAsyncLifetime
{
    public const int FacilityPowBits = 6;

    public PortalTestDatabase Database { get; } = new();

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("healthportal-node-").FullName;

    public LedgerHost Ledger { get; private set; } = null!;

    public IOptions<PortalDataOptions> DataOptions => Options.Create(new PortalDataOptions { DataFolder = DataFolder });

    /// <summary>Database services (see <see cref="PortalTestDatabase.AddTo"/>), this node's ledger and the network services.</summary>
    public void AddTo(IServiceCollection services, RateLimitWindow? registrationLimit = null)
    {
        Database.AddTo(services);
        services.AddSingleton(Ledger);
        services.AddSingleton(DataOptions);
        services.AddSingleton<EhrStoreProvisioner>();
        services.AddSingleton<LedgerQueries>();
        services.AddSingleton(new NodeRegistrationLimiter(registrationLimit ?? new RateLimitWindow { PermitLimit = 1000, WindowSeconds = 60 }));
        services.AddScoped<CircuitClientAddress>();
        services.AddScoped<NodeRegistrations>();
        services.AddScoped<HealthPortal.Features.Keys.AdminWallets>();
        // The join page's proof of work runs in the browser (JS interop, set up by each test) through this.
        services.AddScoped<BrowserKeys>();
        // Production rules for what applicants type (https-only endpoints) unless a test says otherwise.
        services.TryAddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = Environments.Production });
    }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var settings = new LedgerSettings
        {
            BlockIntervalMilliseconds = 2,
            Genesis = new LedgerSettings.GenesisSettings { FacilityPowDifficultyBits = FacilityPowBits, PatientPowDifficultyBits = 4 },
        };
        var vault = new ServerKeyVault(new EphemeralDataProtectionProvider(), Path.Combine(DataFolder, "ledger-keys"));
        Ledger = new LedgerHost(Options.Create(settings), DataOptions, vault, TimeProvider.System, NullLogger<LedgerHost>.Instance);
        await Ledger.StartAsync(CancellationToken.None);

        var services = new ServiceCollection();
        AddTo(services);
        services.AddScoped<DemoLedgerSeeder>();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DemoLedgerSeeder>().SeedAsync();
    }

    public async Task DisposeAsync()
    {
        await Ledger.DisposeAsync();
        await Database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
