using System.Text.Json.Nodes;
using HealthPortal.Bench;

namespace HealthPortal.Tests.Bench;

/// <summary>
/// The product command's table (issue 17): each target read from the stages' own JSON, judged against the issue's
/// number, and a miss carrying the cause the same run measured; a stage that did not run is said, not hidden.
/// </summary>
public sealed class ProductBenchTests
{
    private static JsonObject Stages(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Table_IngestRatioBelowTarget_IsNotMetWithTheRunsCpuPerRecord()
    {
        var rows = ProductBench.Table(Stages("""
            { "ingest": { "exit_code": 0, "result": {
                "ingest_ratio_ehr": 0.3, "ingest_ratio_lab": 0.08, "cpu_ratio_lab": 0.099,
                "ehr": { "records_per_s": 600, "cpu_us_per_record": 800 }, "lab": { "records_per_s": 160, "cpu_us_per_record": 2435 },
                "ledger_only": { "tx_per_s": 2000, "cpu_us_per_tx": 240 },
                "split_lab": { "post_cpu_us_per_record": 811, "confirm_cpu_us_per_record": 1327 },
                "interactive": { "p99_ms": 42, "p50_ms": 20, "max_ms": 60 } } } }
            """));

        var ehr = rows.Single(r => r.Target.StartsWith("ingestion EHR", StringComparison.Ordinal));
        var lab = rows.Single(r => r.Target.StartsWith("ingestion lab", StringComparison.Ordinal));
        var saves = rows.Single(r => r.Target.StartsWith("save → QR", StringComparison.Ordinal));
        Assert.Equal("met", ehr.Met);
        Assert.Equal("", ehr.Cause);
        Assert.Equal("**not met**", lab.Met);
        Assert.Contains("2,435 µs against 240 µs", lab.Cause, StringComparison.Ordinal);
        Assert.Contains("the patients' confirmations 1,327 µs", lab.Cause, StringComparison.Ordinal);
        Assert.Equal("met", saves.Met);
    }

    [Fact]
    public void Table_SavesTailWithoutAStalledProcess_NamesTheWriteAloneFromTheSameRun()
    {
        var rows = ProductBench.Table(Stages("""
            { "ingest": { "exit_code": 0, "result": { "interactive": { "p99_ms": 1278.5, "p50_ms": 30, "max_ms": 2026,
                  "store_write_ms_mean": 49.1, "prepare_ms_mean": 10.8, "qr_ms_mean": 0.6, "pacer_max_lag_ms": 44 } } },
              "store-write": { "exit_code": 0, "result": { "variants": [ { "variant": "delete (as provisioned)", "service_wall_ms_mean": 36.3 } ] } } }
            """));

        var saves = rows.Single(r => r.Target.StartsWith("save → QR", StringComparison.Ordinal));
        Assert.Equal("**not met**", saves.Met);
        Assert.Contains("49.1 ms against 36.3 ms for one writer alone", saves.Cause, StringComparison.Ordinal);
        Assert.Contains("not the process stalling", saves.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_PortalWithoutPublishedApp_SaysNotRunForPortalAndColdStart()
    {
        var rows = ProductBench.Table(Stages("""{ "portal": { "not_run": "no --portal" } }"""));

        var portal = rows.Where(r => r.Target.StartsWith("portal", StringComparison.Ordinal) || r.Target.StartsWith("cold start", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, portal.Count);
        Assert.All(portal, r => Assert.Equal(("not measured", "no --portal"), (r.Figure, r.Cause)));
    }

    [Fact]
    public void Table_FailedStage_ReportsItsErrorInsteadOfFigures()
    {
        var rows = ProductBench.Table(Stages("""{ "timeline": { "error": "InvalidOperationException: bench: 999 anchors of the patient, 1000 expected" } }"""));

        var timeline = rows.Single(r => r.Target.StartsWith("timeline", StringComparison.Ordinal));
        Assert.Equal("not measured", timeline.Figure);
        Assert.Contains("999 anchors", timeline.Cause, StringComparison.Ordinal);
    }
}
