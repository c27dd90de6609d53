using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Records;
using Microsoft.AspNetCore.Authorization;

namespace HealthPortal.Features.Patient.Records;

public static class PatientRecordsExtensions
{
    /// <summary>The patient's timeline, the receipt download and the FHIR export (records authorized with PortalPolicies.PatientOfMpi).</summary>
    public static WebApplicationBuilder AddPatientRecords(this WebApplicationBuilder builder)
    {
        // IRecordFetcher comes from AddEhrStores (the local stores; a remote fetcher in multi-node); RecordVerifier and
        // FacilityNames from AddSharedFeatureServices.
        builder.Services.AddScoped<PatientRecords>();
        builder.Services.AddScoped<PatientRecordExport>();
        return builder;
    }

    /// <summary>
    /// Plain GETs the browser saves as files. Both are the caller's own only: the receipt is authorized per record
    /// (403 for another patient's anchor, 404 for anything that is not a record anchor), the export starts from the
    /// caller's MPI number.
    /// </summary>
    public static WebApplication MapPatientRecordEndpoints(this WebApplication app)
    {
        var records = app.MapGroup("/patient/records").RequireAuthorization(PortalPolicies.PatientPortal);

        records.MapGet("/{txId}/receipt", async (string txId, HttpContext http, PatientRecords patientRecords) =>
        {
            var lookup = await patientRecords.AnchorAsync(http.User, txId);
            return lookup.Status switch
            {
                RecordLookup.Found => ReceiptDownload.File(lookup.Receipt!),
                RecordLookup.Forbidden => Results.StatusCode(StatusCodes.Status403Forbidden),
                _ => Results.NotFound(),
            };
        });

        // Streamed: the Bundle is written to the response a batch of records at a time (PatientRecordExport.WriteAsync).
        records.MapGet("/export", async (HttpContext http, PatientRecordExport export, CancellationToken ct) =>
        {
            var index = await export.IndexAsync(http.User, ct);
            return Results.Stream(body => export.WriteAsync(index, body, ct), PatientRecordExport.ContentType, PatientRecordExport.FileName(index.Mpi));
        });
        return app;
    }
}
