namespace HealthPortal.Features.Corrections;

public static class CorrectionsExtensions
{
    /// <summary>Record corrections: versions, history and the patients' correction requests (docs/corrections.md).</summary>
    public static WebApplicationBuilder AddCorrections(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<RecordCorrections>();
        return builder;
    }
}
