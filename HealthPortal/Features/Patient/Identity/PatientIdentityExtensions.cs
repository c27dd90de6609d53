namespace HealthPortal.Features.Patient.Identity;

public static class PatientIdentityExtensions
{
    /// <summary>The patient's "My identity" page: facilities holding records or MRNs under their number, and their disputes (docs/mpi.md).</summary>
    public static WebApplicationBuilder AddPatientIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MyIdentity>();
        builder.Services.AddScoped<MergeConfirmations>();
        return builder;
    }
}
