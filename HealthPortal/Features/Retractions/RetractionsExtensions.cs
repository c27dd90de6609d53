using HealthPortal.Features.Mpi;

namespace HealthPortal.Features.Retractions;

public static class RetractionsExtensions
{
    /// <summary>Record retraction and re-filing (docs/mpi.md, "Retraction").</summary>
    public static WebApplicationBuilder AddRetractions(this WebApplicationBuilder builder)
    {
        builder.Services.AddRetractions();
        return builder;
    }

    public static IServiceCollection AddRetractions(this IServiceCollection services)
    {
        services.AddScoped<RecordRetractions>();
        // The MPI stewards' answer to a patient's "this is not me" on a record retracts it through this folder.
        services.AddScoped<IRecordRetractor>(sp => sp.GetRequiredService<RecordRetractions>());
        return services;
    }
}
