using System.Net;
using System.Net.Sockets;
using System.Text;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Operations;

/// <summary>
/// With <c>HealthPortal:Operations:OtlpEndpoint</c> set, the node pushes its metrics to that collector over OTLP/HTTP
/// as well: a listener on loopback, started by the test, receives the export with the portal's own instruments.
/// </summary>
public sealed class OtlpExportTests
{
    private sealed class PortalWithCollector(int port) : PortalFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["HealthPortal:Operations:OtlpEndpoint"] = $"http://127.0.0.1:{port}",
            // The SDK reads the standard variable from configuration: export every half second, not every minute.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        };
    }

    [Fact]
    public async Task ConfiguredCollector_ReceivesThePortalsMetrics_OverOtlpHttp()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();

        await using var portal = new PortalWithCollector(port);
        _ = portal.Services; // starts the node

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        while (true)
        {
            var context = await collector.GetContextAsync().WaitAsync(limit.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, limit.Token);
            context.Response.StatusCode = 200;
            context.Response.Close();
            seen.Add($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath} {context.Request.ContentType} {body.Length} bytes");
            // OTLP protobuf carries instrument names as plain UTF-8 strings.
            if (context.Request.Url.AbsolutePath == "/v1/metrics" && Encoding.UTF8.GetString(body.ToArray()).Contains("healthportal.ledger.height", StringComparison.Ordinal))
            {
                Assert.Equal("POST", context.Request.HttpMethod);
                Assert.Equal("application/x-protobuf", context.Request.ContentType);
                return;
            }
            Assert.True(seen.Count < 200, string.Join("\n", seen));
        }
    }
}
