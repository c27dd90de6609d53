using HealthPortal.Features.Records;
using Microsoft.Net.Http.Headers;

namespace HealthPortal.Features.Ingest;

public static class IngestExtensions
{
    /// <summary>Facility systems push records (issue 17): API clients per facility and <c>POST /fhir/r4</c>.</summary>
    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>().Bind(builder.Configuration.GetSection(IngestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<FacilityApiClients>();
        builder.Services.AddScoped<BundleIngest>();
        return builder;
    }

    /// <summary>
    /// <c>POST /fhir/r4</c>: a <c>batch</c> or <c>transaction</c> Bundle from a facility system, authenticated by its
    /// bearer token. Answers are <c>application/fhir+json</c>; every refusal is an OperationOutcome. The body is read
    /// whole (up to the limit) before the store is touched, so a slow client never holds a write transaction open.
    /// </summary>
    public static WebApplication MapIngest(this WebApplication app)
    {
        app.MapPost("/fhir/r4", async (HttpContext context, FacilityApiClients clients, BundleIngest ingest) =>
        {
            var answer = await AnswerAsync(context, clients, ingest);
            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfterSeconds is { } seconds) context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/fhir+json; charset=utf-8";
            await context.Response.WriteAsync(FhirJson.Serialize(answer.Body), context.RequestAborted);
        }).DisableAntiforgery();
        return app;
    }

    private static async Task<IngestAnswer> AnswerAsync(HttpContext context, FacilityApiClients clients, BundleIngest ingest)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (clients.Authenticate(token) is not { } client)
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"fhir\"";
            return BundleIngest.Problem(401, Hl7.Fhir.Model.OperationOutcome.IssueType.Login,
                token is null ? "Authenticate as the facility's system: Authorization: Bearer <client id>.<secret>." : "Unknown, revoked or wrong API client credentials.");
        }
        var type = request.ContentType ?? "";
        if (!type.StartsWith("application/fhir+json", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return BundleIngest.Problem(415, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported, "Post application/fhir+json.");
        var limit = ingest.Limits.MaxBytes;
        if (request.ContentLength > limit)
            return BundleIngest.Problem(413, Hl7.Fhir.Model.OperationOutcome.IssueType.TooCostly, $"A Bundle may be at most {limit:N0} bytes.");
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (body.Length + read > limit)
                return BundleIngest.Problem(413, Hl7.Fhir.Model.OperationOutcome.IssueType.TooCostly, $"A Bundle may be at most {limit:N0} bytes.");
            body.Write(buffer, 0, read);
        }
        return await ingest.PostAsync(client, body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
    }
}
