using Microsoft.Playwright;

namespace HealthPortal.E2E.Infrastructure;

public static class Interactivity
{
    /// <summary>The marker the app renders from <c>RendererInfo.IsInteractive</c>: "false" while prerendered, "true" once the circuit runs.</summary>
    public const string Attribute = "data-interactive";

    /// <summary>
    /// Waits until the page's Blazor circuit drives it, so clicks reach event handlers instead of the inert
    /// prerendered HTML. Call after every full navigation to an interactive page.
    /// </summary>
    /// <remarks>
    /// Strict once the app renders <c>data-interactive</c>: then only <c>[data-interactive=true]</c> counts, and a
    /// page that stays "false" (or is static SSR) times out. On pages without the attribute it falls back to
    /// watching the circuit's WebSocket (see <see cref="CircuitWatch"/>), which needs a page opened through
    /// <see cref="PortalTest{THost}"/>.
    /// </remarks>
    public static async Task WaitForInteractiveAsync(this IPage page, float? timeoutMs = null)
    {
        // document.readyState, asked of whatever document the page holds now, rather than WaitForLoadStateAsync: after a
        // forced load through a redirect (the language switch: /culture answers 302 back to the page) Playwright's
        // lifecycle tracking once waited 15 s for a DOMContentLoaded of a document that had already fired it and showed
        // the new page (BurmeseJourneyTests, stop 30's CI). WaitForFunction is re-run when a navigation replaces the document.
        await page.WaitForFunctionAsync("() => document.readyState !== 'loading'", null,
            new() { Timeout = timeoutMs, PollingInterval = 100 });
        if (await page.Locator($"[{Attribute}]").CountAsync() > 0)
        {
            await page.Locator($"[{Attribute}=true]").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = timeoutMs });
            return;
        }

        var circuit = BrowserDiagnostics.CircuitOf(page)
            ?? throw new InvalidOperationException(
                $"The page renders no [{Attribute}] and was not opened through PortalTest, so its circuit cannot be watched.");
        var timeout = TimeSpan.FromMilliseconds(timeoutMs ?? ChromiumFixture.TimeoutMs);
        try
        {
            await circuit.Rendered.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"{page.Url} did not become interactive within {timeout.TotalSeconds:0.#} s: no render from a Blazor circuit "
                + $"and no [{Attribute}=true]. Is the page static SSR, or did the circuit fail (see the console log)?");
        }
    }
}
