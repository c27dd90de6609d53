using HealthPortal.Features.Recovery;

namespace HealthPortal.Features.Onboarding;

public static class PatientKeysExtensions
{
    /// <summary>The patient's browser keys and the services around them: devices, linking and recovery.</summary>
    public static WebApplicationBuilder AddPatientKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<BrowserKeys>();
        builder.Services.AddScoped<PatientKeys>();
        builder.Services.AddScoped<KeyRecoveries>();
        builder.Services.AddSingleton<RecoveryNotifier>();
        return builder;
    }
}
