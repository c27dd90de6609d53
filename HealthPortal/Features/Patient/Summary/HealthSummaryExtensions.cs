using HealthPortal.Features.Auth;

namespace HealthPortal.Features.Patient.Summary;

public static class HealthSummaryExtensions
{
    /// <summary>The patient's health summary (page and IPS document); reads through PatientRecords (AddPatientRecords).</summary>
    public static WebApplicationBuilder AddPatientSummary(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<HealthSummaries>();
        return builder;
    }

    /// <summary>
    /// The IPS document as a file the browser saves: the caller's own summary only (it starts from the caller's MPI
    /// number); 404 for a patient without one, who has no records to summarize.
    /// </summary>
    public static WebApplication MapPatientSummaryEndpoints(this WebApplication app)
    {
        app.MapGet("/patient/summary/fhir", async (HttpContext http, HealthSummaries summaries, CancellationToken ct) =>
            await summaries.DocumentAsync(http.User, ct) is { } document
                ? Results.File(System.Text.Encoding.UTF8.GetBytes(IpsDocument.ToJson(document.Document)), "application/fhir+json", IpsDocument.FileName(document.Mpi))
                : Results.NotFound())
            .RequireAuthorization(PortalPolicies.PatientPortal);
        return app;
    }
}
