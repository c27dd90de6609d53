using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.Features.Ledger;
using HealthPortal.E2E.Pages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Network;

/// <summary>The join page's proof of work runs in this browser, shows its progress and can be cancelled.</summary>
public sealed class JoinStampTests(JoinStampHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest<JoinStampHost>(host, chromium, output)
{
    [Fact]
    public async Task Join_StampInProgress_ShowsProgressAndCancelStopsTheWorkerWithNothingRecorded()
    {
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Page.Worker += (_, worker) =>
        {
            if (new Uri(worker.Url).AbsolutePath == "/js/pow-worker.js") worker.Close += (_, w) => closed.TrySetResult(w.Url);
        };
        var join = new JoinPage(Page);
        await join.GotoAsync();

        var name = $"Slow Stamp Clinic {Guid.NewGuid().ToString("N")[..6]}";
        var ledger = Host.Services.GetRequiredService<LedgerHost>();
        var height = ledger.Engine.Height;
        await join.ApplyAsync(name, "Clinic", "desk@slow.example", "https://slow.example/fhir");

        // Progress comes from the worker: a count of hashes that is no longer zero, against 2^24 expected.
        await Expect(join.PowProgress).ToContainTextAsync("Your browser is computing the proof-of-work stamp");
        await Expect(join.PowProgress).ToContainTextAsync(new Regex(@"[1-9][\d,]* hashes so far, about 16,777,216 expected"));
        await join.CancelStamp.ClickAsync();

        await Expect(Page.GetByTestId("join-cancelled")).ToBeVisibleAsync();
        Assert.EndsWith("/js/pow-worker.js", await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Expect(join.Outcome).ToBeHiddenAsync();
        await Expect(join.Apply).ToBeEnabledAsync();
        Assert.Equal(height, ledger.Engine.Height);
        Assert.DoesNotContain(ledger.Engine.State.Nodes, n => n.Name == name);
    }
}
