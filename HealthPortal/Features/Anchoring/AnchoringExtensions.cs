using HealthPortal.Features.Access;
using HealthPortal.Features.FacilityPortal;

namespace HealthPortal.Features.Anchoring;

public static class AnchoringExtensions
{
    /// <summary>Flow 3: staff find a patient, the facility signs record anchors, the patient co-signs.</summary>
    public static WebApplicationBuilder AddAnchoring(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AnchorEvents>();
        builder.Services.AddScoped<AnchorWorkflow>();
        builder.Services.AddScoped<FacilityPatients>();
        builder.Services.AddSingleton<FacilityAuditTrail>();
        builder.Services.AddScoped<FacilityAuditLog>();
        return builder;
    }
}
