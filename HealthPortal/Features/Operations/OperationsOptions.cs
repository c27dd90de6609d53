namespace HealthPortal.Features.Operations;

/// <summary>The <c>HealthPortal:Operations</c> section: who may scrape metrics and when a quiet commit thread counts as stalled.</summary>
public sealed class OperationsOptions
{
    public const string Section = "HealthPortal:Operations";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) besides loopback whose hosts may read <c>/metrics</c>. Metrics name
    /// facilities' activity and the node's load, so the default is loopback only: a Prometheus on the same machine,
    /// or one whose network the operator lists here. Everyone else gets a 404, as if there were no such page.
    /// </summary>
    public string[] MetricsNetworks { get; set; } = [];

    /// <summary>
    /// An OpenTelemetry collector to push the same metrics to over OTLP (e.g. <c>http://collector:4318</c>, OTLP/HTTP
    /// protobuf), besides <c>/metrics</c>; unset: none. The standard <c>OTEL_EXPORTER_OTLP_*</c> variables refine it
    /// (headers, timeout), and <c>OTEL_METRIC_EXPORT_INTERVAL</c> sets how often (default 60 s).
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Transactions waiting this long with no block committed make the node not ready.</summary>
    public int CommitStallSeconds { get; set; } = 30;

    /// <summary>
    /// Read what the first pages read once, right after start (<see cref="WarmUp"/>), so the first person is not the
    /// one who waits for EF Core's models, the stores' schema checks and Firely's model of R4. On by default.
    /// </summary>
    public bool WarmUp { get; set; } = true;
}
