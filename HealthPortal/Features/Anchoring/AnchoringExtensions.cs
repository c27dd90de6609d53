
namespace HealthPortal.Features.Anchoring;

public static class AnchoringExtensions
{
    /// <summary>Flow 3: staff find a patient, the facility signs record anchors, the patient co-signs.</summary>
    public static WebApplicationBuilder AddAnchoring(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AnchorEvents>();
        builder.Services.AddScoped<AnchorWorkflow>();
        builder.Services.AddScoped<ReplacedVersions>();
        // Co-signatures across nodes (issue 10): idle in the embedded mode.
        builder.Services.AddSingleton<CosignInbox>();
        builder.Services.AddSingleton<CosignRelay>();
        builder.Services.AddSingleton<RemoteConfirmations>();
        builder.Services.AddSingleton<CosignOrigin>();
        builder.Services.AddHostedService<CosignRelayService>();
        builder.Services.AddSingleton<AnchorReminders>();
        var configuration = builder.Configuration;
        builder.Services.AddOptions<AnchoringOptions>().Bind(configuration.GetSection(AnchoringOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
