using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Ledger;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Support;

/// <summary>
/// A started <see cref="LedgerHost"/> on a temporary folder (low proof of work, nothing seeded) and the patient-key
/// services over it, for component tests whose pages read the ledger but need no web host.
/// </summary>
public sealed class StandaloneLedger : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("healthportal-ledger-").FullName;

    public LedgerHost Host { get; private set; } = null!;
    public DeviceLinks Links { get; private set; } = null!;
    public RecoveryNotifier Notifier { get; } = new();

    /// <summary>Registers the ledger, the patient-key and the anchoring services (the database and demo options come from elsewhere).</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(Host);
        services.AddSingleton(Links);
        services.AddSingleton(Notifier);
        services.AddScoped<BrowserKeys>();
        services.AddScoped<PatientKeys>();
        services.AddScoped<PatientOnboarding>();
        services.AddScoped<KeyRecoveries>();
        services.AddSingleton(Anchors);
        services.AddScoped<AnchorWorkflow>();
        services.AddScoped<FacilityPatients>();
        services.AddScoped<PatientSearch>();
        services.AddSingleton(Pseudonyms);
    }

    /// <summary>The staff pseudonyms (desk lookups and interop reads name staff by them), under a throwaway secret.</summary>
    public StaffPseudonyms Pseudonyms => pseudonyms ??= new StaffPseudonyms(new EphemeralDataProtectionProvider(), folder);
    private StaffPseudonyms? pseudonyms;

    public AnchorEvents Anchors { get; } = new();

    public async Task InitializeAsync()
    {
        var settings = new LedgerSettings { Genesis = { PatientPowDifficultyBits = 4, FacilityPowDifficultyBits = 4 } };
        var vault = new ServerKeyVault(new EphemeralDataProtectionProvider(), Path.Combine(folder, "ledger-keys"));
        Host = new LedgerHost(Options.Create(settings), Options.Create(new PortalDataOptions { DataFolder = folder }), vault, TimeProvider.System,
            NullLogger<LedgerHost>.Instance);
        await Host.StartAsync(CancellationToken.None);
        Links = new DeviceLinks(Host, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
