using HealthPortal.Data;
using HealthPortal.Features.Records;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using HealthPortal.Features.BreakGlass;

namespace HealthPortal.Features.Interop;

public static class InteropExtensions
{
    /// <summary>The read policy, the FHIR interop handler and the in-process client.</summary>
    public static WebApplicationBuilder AddInterop(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<InteropOptions>().Bind(builder.Configuration.GetSection(InteropOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.Configure<RateLimitOptions>(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.AddSingleton<FacilityNodeKeys>();
        builder.Services.AddSingleton<InteropReader>();
        builder.Services.AddSingleton<InteropNonceCache>();
        builder.Services.AddSingleton<InteropHandler>();
        builder.Services.TryAddSingleton<IInteropTransport, InProcessInteropTransport>();
        builder.Services.AddSingleton<InteropRoutes>();
        builder.Services.AddSingleton<InteropClient>();
        // The patient's timeline in a consortium: records of other nodes' facilities come over the node API. Embedded,
        // the verifier reads the registered fetcher exactly as before.
        builder.Services.AddSingleton<NodeRecordFetcher>();
        builder.Services.AddSingleton(sp => new RecordVerifier(sp.GetRequiredService<IOptions<HealthPortal.Features.Consortium.NetworkSettings>>().Value.IsRaft
            ? sp.GetRequiredService<NodeRecordFetcher>() : sp.GetRequiredService<IRecordFetcher>()));
        return builder;
    }

    /// <summary>GET /fhir/r4/… : the FHIR R4 interop API (metadata public, everything else signed by a facility node).</summary>
    public static WebApplication MapInteropEndpoints(this WebApplication app)
    {
        // Every method is mapped so that a POST or DELETE gets a 405 OperationOutcome, not the HTML status page.
        app.Map("/fhir/r4/{**path}", async (HttpContext context, InteropHandler handler, PublicUrls urls) =>
        {
            var request = context.Request;
            var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
            var target = string.IsNullOrEmpty(raw) || raw[0] != '/' ? request.PathBase + request.Path.ToUriComponent() + request.QueryString : raw;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers)
            {
                // A repeated signature header is ambiguous: keep it as a value no pattern accepts.
                if (name.StartsWith("HP-", StringComparison.OrdinalIgnoreCase)) headers[name] = values.Count == 1 ? values[0] ?? "" : "\n";
            }
            // The FHIR base (CapabilityStatement, fullUrls) comes from configuration, not from the caller's Host header.
            var fhirBase = urls.Absolute("fhir/r4", $"{request.Scheme}://{request.Host}{request.PathBase}/");
            var response = await handler.HandleAsync(new InteropRequest(request.Method, target, headers, fhirBase), context.RequestAborted);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = InteropFhir.ContentType + "; charset=utf-8";
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            await context.Response.WriteAsync(InteropFhir.Serialize(response.Resource), context.RequestAborted);
        }).DisableAntiforgery();
        app.MapNodeRecordEndpoints();
        return app;
    }
}
