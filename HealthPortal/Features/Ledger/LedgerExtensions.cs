using HealthPortal.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Ledger;

public static class LedgerExtensions
{
    /// <summary>The in-process ledger node, its server-held keys and its block feed; the features that talk to it register themselves.</summary>
    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<LedgerSettings>(builder.Configuration.GetSection(LedgerSettings.Section));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ServerKeyVault(
            sp.GetRequiredService<IDataProtectionProvider>(),
            Path.Combine(sp.GetRequiredService<IOptions<PortalDataOptions>>().Value.DataFolderFullPath, "ledger-keys")));
        // Embedded (solo sequencer) unless HealthPortal:Network:Mode says raft; checked at start.
        builder.Services.AddOptions<HealthPortal.Features.Consortium.NetworkSettings>()
            .Bind(builder.Configuration.GetSection(HealthPortal.Features.Consortium.NetworkSettings.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HealthPortal.Features.Consortium.NetworkSettings>, HealthPortal.Features.Consortium.NetworkSettingsValid>();
        builder.Services.AddSingleton<LedgerHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LedgerHost>());
        // Transient so every resolution reads the engine the host runs now (the host can be stopped and opened again).
        builder.Services.AddTransient(sp => sp.GetRequiredService<LedgerHost>().Reader);
        return builder;
    }
}
