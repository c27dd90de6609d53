using HealthPortal.Features.Ledger;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace HealthPortal.Features.Operations;

public static class OperationsExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>Health checks, the portal's metrics (OpenTelemetry, Prometheus format) and a bounded shutdown.</summary>
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<OperationsOptions>(builder.Configuration.GetSection(OperationsOptions.Section));
        builder.Services.AddSingleton<MetricsAccess>();
        builder.Services.AddSingleton(sp => new CommitProgress(sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<IOptions<OperationsOptions>>().Value.CommitStallSeconds))));
        builder.Services.AddSingleton<PortalMetrics>();
        builder.Services.AddHostedService<LedgerEventsFeed>();
        builder.Services.AddSingleton<WarmUpState>();
        builder.Services.AddHostedService<WarmUp>();
        builder.Services.AddScoped<CircuitHandler, ActiveCircuitsHandler>();

        builder.Services.AddHealthChecks()
            .AddCheck<IdentityDatabaseCheck>("identity-database", tags: [ReadyTag])
            .AddCheck<LedgerReadinessCheck>("ledger", tags: [ReadyTag])
            .AddCheck<EhrStoresCheck>("ehr-stores", tags: [ReadyTag]);

        var otlp = builder.Configuration.GetSection(OperationsOptions.Section).Get<OperationsOptions>()?.OtlpEndpoint;
        if (!string.IsNullOrWhiteSpace(otlp) && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
            throw new InvalidOperationException($"{OperationsOptions.Section}:OtlpEndpoint '{otlp}' is not an absolute URL such as http://collector:4318");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics
                .AddMeter(PortalMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter();
            // Pushed as well when a collector is configured: OTLP/HTTP to {endpoint}/v1/metrics.
            if (!string.IsNullOrWhiteSpace(otlp))
            {
                metrics.AddOtlpExporter(exporter =>
                {
                    exporter.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
                    exporter.Endpoint = new Uri(new Uri(otlp.TrimEnd('/') + "/"), "v1/metrics");
                });
            }
        });
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> answers as long as the process serves requests; <c>/health/ready</c> runs the readiness
    /// checks (503 when one fails). <c>/metrics</c> is served only to <see cref="MetricsAccess"/>'s addresses; others fall through to the 404 page.
    /// </summary>
    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<MetricsAccess>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(access.Allows);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponses.WriteAsync })
            .DisableRateLimiting();
        // One line, as `node status` prints it: public facts of the replicated ledger (ids, heights, hashes), no secrets.
        // A caller that asks for JSON (another member's Network page) gets the same facts with the name and any tamper alarm.
        app.MapGet("/node/status", (HttpRequest request, LedgerHost host, TimeProvider clock) =>
                request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                    ? Results.Text(NodeStatusDocument.Of(host, clock).ToJson(), "application/json")
                    : Results.Text(host.Status().ToLine() + "\n", "text/plain"))
            .DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = HealthResponses.WriteAsync })
            .DisableRateLimiting();
        return app;
    }
}
