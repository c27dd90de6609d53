using HealthPortal.E2E.Pages;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// One headless Debian Chromium per test class (<c>IClassFixture</c>); each test gets its own browser context from
/// <see cref="PortalTest{THost}"/>, so cookies and storage never leak between tests while the costly browser
/// start is paid once per class.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium: Playwright's own browser download cannot run here (.ci/run installs this one).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// Default wait for any page action or assertion. Well above what a healthy page needs on a busy 2-core machine,
    /// well below Playwright's 30 s so a broken test fails fast.
    /// </summary>
    public const float TimeoutMs = 15_000;

    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly Dictionary<string, Task<string>> storageStates = [];
    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Chromium has not been started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.");

        // Playwright's assertions keep their own default (5 s) apart from the context's action timeout: without this
        // line TimeoutMs applied to clicks and fills but not to Expect(...), and CI failed on a 5 s assertion wait.
        Assertions.SetDefaultExpectTimeout(TimeoutMs);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
            await browser.DisposeAsync();
        playwright?.Dispose();
    }

    /// <summary>
    /// The storage state (cookies, local storage) of a session signed in as <paramref name="role"/> on
    /// <paramref name="host"/>, made by <paramref name="login"/> the first time it is asked for and reused after.
    /// Tests within a class run one at a time, so no lock is needed.
    /// </summary>
    internal Task<string> StorageStateAsync(PortalHost host, PortalRole role, Func<Task<string>> login)
    {
        var key = $"{host.BaseUrl} {role.Name} {role.Email}";
        if (!storageStates.TryGetValue(key, out var state) || state.IsFaulted || state.IsCanceled)
            storageStates[key] = state = login();
        return state;
    }
}
