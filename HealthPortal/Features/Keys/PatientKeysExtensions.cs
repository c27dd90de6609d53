
namespace HealthPortal.Features.Keys;

public static class PatientKeysExtensions
{
    /// <summary>The patient's browser keys and the services around them: registration, devices, linking and recovery.</summary>
    public static WebApplicationBuilder AddPatientKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PatientOnboarding>();
        builder.Services.AddSingleton<DeviceLinks>();
        builder.Services.AddScoped<BrowserKeys>();
        builder.Services.AddScoped<PatientKeys>();
        builder.Services.AddScoped<KeyRecoveries>();
        builder.Services.AddScoped<AdminWallets>();
        var configuration = builder.Configuration;
        builder.Services.AddOptions<HealthPortal.Features.Keys.RecoveryOptions>().Bind(configuration.GetSection(HealthPortal.Features.Keys.RecoveryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DeviceLinkOptions>().Bind(configuration.GetSection(DeviceLinkOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RecoveryNotifier>();
        // "Last used" on My devices, from every committed block's signatures.
        builder.Services.AddHostedService<DeviceUsage>();
        return builder;
    }
}
