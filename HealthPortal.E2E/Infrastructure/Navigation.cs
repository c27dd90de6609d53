using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Infrastructure;

public static class Navigation
{
    /// <summary>
    /// Waits until the page's own <c>location.pathname</c> is <paramref name="path"/>, by asking the page.
    /// </summary>
    /// <remarks>
    /// Blazor navigates inside the circuit with <c>history.pushState</c>. <c>WaitForURLAsync</c> waits for the
    /// navigation event and then for the load state, and once timed out under CI load while the page already showed
    /// the new URL and its content (SharedAccessTests, 2026-12-07). Asking the page itself has no event to miss.
    /// </remarks>
    public static Task WaitForPathAsync(this IPage page, string path, float? timeoutMs = null) =>
        page.WaitForPathAsync(actual => string.Equals(actual, path, StringComparison.Ordinal), path, timeoutMs);

    /// <summary>As <see cref="WaitForPathAsync(IPage, string, float?)"/>, for a path that matches <paramref name="pattern"/>.</summary>
    public static Task WaitForPathAsync(this IPage page, Regex pattern, float? timeoutMs = null) =>
        page.WaitForPathAsync(pattern.IsMatch, pattern.ToString(), timeoutMs);

    /// <summary>
    /// As <see cref="WaitForPathAsync(IPage, string, float?)"/>, until <paramref name="matches"/> holds for the path;
    /// <paramref name="expected"/> says what was awaited when it times out.
    /// </summary>
    public static async Task WaitForPathAsync(this IPage page, Func<string, bool> matches, string expected, float? timeoutMs = null)
    {
        var timeout = TimeSpan.FromMilliseconds(timeoutMs ?? ChromiumFixture.TimeoutMs);
        var clock = Stopwatch.StartNew();
        var seen = "(nothing yet)";
        while (clock.Elapsed < timeout)
        {
            try
            {
                seen = await page.EvaluateAsync<string>("() => location.pathname");
                if (matches(seen))
                    return;
            }
            catch (PlaywrightException)
            {
                // A full navigation destroyed the execution context between two polls: ask the new document.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The page's path was not {expected} within {timeout.TotalSeconds:0.#} s; last seen {seen}.");
    }
}
