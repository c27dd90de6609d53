using HealthPortal.E2E.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Harness;

/// <summary>The E2E harness itself: what every other test relies on without checking.</summary>
public sealed class HarnessTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    [Fact]
    public void Host_UsesItsOwnDataFolderAndTheDeploymentSettings()
    {
        var configuration = Host.Services.GetRequiredService<IConfiguration>();

        Assert.Equal(Host.DataFolder, configuration["HealthPortal:DataFolder"]);
        Assert.True(Directory.Exists(Host.DataFolder));
        // Read from the repository's appsettings.json, so the app runs with the deployment's settings.
        Assert.False(string.IsNullOrEmpty(configuration["Ledger:Genesis:ChainId"]));
        Assert.Equal("localhost", Host.BaseUrl.Host);
    }

    [Fact]
    public async Task Diagnostics_ReportCspViolationFromEventAndConsole()
    {
        await ServeProbePageAsync("""<script>document.title = 'ran';</script>""", csp: "script-src 'none'");

        await WaitUntil(() => Diagnostics.CspViolations.Count >= 2);

        var violations = Diagnostics.TakeCspViolations();
        Assert.Contains(violations, v => v.StartsWith("enforce script-src-elem", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("[error]", StringComparison.Ordinal) && v.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.Equal("probe", await Page.TitleAsync());
    }

    [Fact]
    public async Task WaitForInteractive_WaitsUntilDataInteractiveTurnsTrue()
    {
        // As the app will: prerendered "false", then "true" once the circuit renders.
        await ServeProbePageAsync("""<main data-interactive="false">x</main><script>setTimeout(() => document.querySelector('main').dataset.interactive = 'true', 300);</script>""");

        await Page.WaitForInteractiveAsync();

        Assert.Equal("true", await Page.Locator("main").GetAttributeAsync("data-interactive"));
    }

    [Fact]
    public async Task WaitForInteractive_TimesOutWhileDataInteractiveStaysFalse()
    {
        await ServeProbePageAsync("""<main data-interactive="false">x</main>""");

        await Assert.ThrowsAsync<TimeoutException>(() => Page.WaitForInteractiveAsync(timeoutMs: 500));
        Probe.Reset();
    }

    [Fact]
    public async Task FailureProbe_SeesExceptionThrownInTestBody()
    {
        await ThrowAndCatchAsync();

        Assert.IsType<InvalidOperationException>(Probe.FirstException);
        Probe.Reset();
    }

    // A page of the test's own on the portal's origin, answered by the browser without reaching the app.
    private async Task ServeProbePageAsync(string body, string? csp = null)
    {
        var url = new Uri(Host.BaseUrl, "__e2e/probe").ToString();
        var headers = csp is null ? new Dictionary<string, string>() : new() { ["Content-Security-Policy"] = csp };
        await Page.RouteAsync(url, route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Headers = headers,
            Body = $"<!doctype html><title>probe</title>{body}",
        }));
        await Page.GotoAsync(url);
    }

    private static async Task ThrowAndCatchAsync()
    {
        await Task.Yield();
        try
        {
            throw new InvalidOperationException("seen by the probe");
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(ChromiumFixture.TimeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Condition not met in time.");
            await Task.Delay(20);
        }
    }
}
