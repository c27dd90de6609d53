using System.Text.Json;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.Features.Keys;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Platform;

/// <summary>
/// The MPI card scanner where the browser has no BarcodeDetector of its own (Chromium on Linux, as Firefox and Safari):
/// the vendored polyfill loads from the portal under its real Content-Security-Policy and reads a card's QR code.
/// </summary>
public sealed class CardScanPolyfillTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    [Fact]
    public async Task Scanner_WithoutANativeBarcodeDetector_ReadsAnMpiCardThroughThePolyfillFromThePortal()
    {
        var offSite = new List<string>();
        Page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Host.BaseUrl.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
                offSite.Add(request.Url);
        };
        await Page.GotoAsync("");
        var payload = QrCodes.MpiPayload("MM-0000-0000-0001");

        var result = await Page.EvaluateAsync<JsonElement>("""
            async (png) => {
              const native = 'BarcodeDetector' in window;
              const scanner = await import('./js/mpi-scanner.js');
              const support = await scanner.support();
              const img = new Image();
              img.src = png;
              await img.decode();
              const codes = await new BarcodeDetector({ formats: ['qr_code'] }).detect(img);
              return { native, detector: support.detector, polyfilled: !!window.BarcodeDetectionAPI, value: codes.length ? codes[0].rawValue : null };
            }
            """, QrCodes.PngDataUri(payload));

        Output.WriteLine(result.ToString());
        Assert.False(result.GetProperty("native").GetBoolean(), "this Chromium has a BarcodeDetector of its own; the polyfill path is not exercised");
        Assert.True(result.GetProperty("polyfilled").GetBoolean());
        Assert.True(result.GetProperty("detector").GetBoolean());
        Assert.Equal(payload, result.GetProperty("value").GetString());
        Assert.Empty(offSite);
        Assert.Empty(Diagnostics.TakeCspViolations());
    }
}
