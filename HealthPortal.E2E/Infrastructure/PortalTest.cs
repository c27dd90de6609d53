using System.Reflection;
using HealthPortal.E2E.Pages;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>A browser test against the default portal (demo data as in appsettings.json).</summary>
public abstract class PortalTest(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest<PortalHost>(host, chromium, output);

/// <summary>
/// Base of every browser test: the class shares one <typeparamref name="THost"/> and one Chromium; each test gets
/// a fresh browser context with <see cref="Page"/> open on the portal. After the test it fails on any console error
/// or CSP violation, and when the test failed it saves screenshots, the console and the server log under
/// <c>bin/…/artifacts/</c>.
/// </summary>
public abstract class PortalTest<THost> : ChromiumTest, IAsyncLifetime, IClassFixture<THost>
    where THost : PortalHost, new()
{
    private readonly FailureProbe probe;
    private readonly List<(IBrowserContext Context, BrowserDiagnostics Diagnostics)> sessions = [];
    private readonly int serverLogStart;
    private IPage? page;

    protected PortalTest(THost host, ChromiumFixture chromium, ITestOutputHelper output)
    {
        Host = host;
        Chromium = chromium;
        Output = output;
        TestName = NameOf(output);
        serverLogStart = host.Log.Position;
        probe = FailureProbe.Start();
    }

    protected THost Host { get; }

    protected ChromiumFixture Chromium { get; }

    protected ITestOutputHelper Output { get; }

    /// <summary>The demo accounts' password, as the host was configured (one place instead of a copy per class).</summary>
    protected string DemoPassword => Host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["HealthPortal:Demo:Password"]!;

    /// <summary>Whether the test has thrown so far; for the harness's own test of it.</summary>
    private protected FailureProbe Probe => probe;

    /// <summary>"Class.Method", for artifact folders.</summary>
    protected string TestName { get; }

    /// <summary>The test's main page: anonymous at first, replaced by <see cref="LoginAsAsync"/>.</summary>
    protected IPage Page => page ?? throw new InvalidOperationException("The page opens in InitializeAsync.");

    /// <summary>Diagnostics of <see cref="Page"/>'s browser context.</summary>
    protected BrowserDiagnostics Diagnostics => DiagnosticsOf(Page);

    public virtual async Task InitializeAsync() => page = await NewPageAsync();

    /// <summary>
    /// Opens a page in a new, isolated browser context on the portal; signed in as <paramref name="role"/> when
    /// given (signing in through the login form only the first time per role and class). Use it for a second
    /// actor, e.g. a patient granting access while a clinician waits.
    /// </summary>
    protected async Task<IPage> NewPageAsync(PortalRole? role = null)
    {
        var storageState = role is null ? null : await Chromium.StorageStateAsync(Host, role, () => SignInAsync(role));
        var context = await NewContextAsync(storageState);
        return await context.NewPageAsync();
    }

    /// <summary>Replaces <see cref="Page"/> with a page signed in as <paramref name="role"/> and returns it.</summary>
    protected async Task<IPage> LoginAsAsync(PortalRole role)
    {
        page = await NewPageAsync(role);
        return page;
    }

    /// <summary>Diagnostics of the browser context <paramref name="of"/> belongs to.</summary>
    protected BrowserDiagnostics DiagnosticsOf(IPage of) =>
        sessions.Single(s => s.Context == of.Context).Diagnostics;

    public async Task DisposeAsync()
    {
        var problems = sessions
            .SelectMany(s => s.Diagnostics.CspViolations.Select(v => $"CSP violation: {v}")
                .Concat(s.Diagnostics.Errors.Select(e => $"Console error: {e}")))
            .ToList();

        try
        {
            if (probe.FirstException is not null || problems.Count > 0)
                await SaveArtifactsAsync(problems);
        }
        finally
        {
            foreach (var (context, _) in sessions)
                await context.CloseAsync();
        }

        if (problems.Count > 0)
            throw new XunitException(string.Join(Environment.NewLine, problems));
    }

    private async Task<IBrowserContext> NewContextAsync(string? storageState)
    {
        var context = await Chromium.Browser.NewContextAsync(new()
        {
            BaseURL = Host.BaseUrl.ToString(),
            StorageState = storageState,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(ChromiumFixture.TimeoutMs);
        sessions.Add((context, await BrowserDiagnostics.AttachAsync(context)));
        return context;
    }

    // The login is made in a context of its own, so the test's contexts all start from the saved state alike.
    private async Task<string> SignInAsync(PortalRole role)
    {
        var context = await NewContextAsync(storageState: null);
        var login = new LoginPage(await context.NewPageAsync());
        await login.GotoAsync();
        await login.LogInAsync(role.Email, role.Password, await AuthenticatorKeyAsync(role.Email));
        return await context.StorageStateAsync();
    }

    /// <summary>The account's authenticator key as the portal stores it (demo staff and admins have one seeded);
    /// null for accounts without a second factor.</summary>
    protected async Task<string?> AuthenticatorKeyAsync(string email)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HealthPortal.Data.ApplicationUser>>();
        return await users.FindByEmailAsync(email) is { } user ? await users.GetAuthenticatorKeyAsync(user) : null;
    }

    private async Task SaveArtifactsAsync(IReadOnlyList<string> problems)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", $"{TestName}-{DateTime.UtcNow:yyyyMMdd-HHmmss.fff}");
        Directory.CreateDirectory(folder);

        var pageNumber = 0;
        foreach (var (context, diagnostics) in sessions)
        {
            foreach (var open in context.Pages)
            {
                pageNumber++;
                var name = Path.Combine(folder, $"page{pageNumber}");
                await File.WriteAllTextAsync($"{name}.url.txt", open.Url);
                try
                {
                    await open.ScreenshotAsync(new() { Path = $"{name}.png", FullPage = true, Timeout = 5_000 });
                    await File.WriteAllTextAsync($"{name}.html", await open.ContentAsync());
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    // A crashed or hung page cannot be pictured; say so beside the rest rather than lose the rest.
                    await File.WriteAllTextAsync($"{name}.error.txt", e.ToString());
                }
            }
            await File.AppendAllLinesAsync(Path.Combine(folder, "console.log"),
                diagnostics.Log.Prepend($"--- browser context {sessions.FindIndex(s => s.Context == context) + 1}"));
        }

        await File.WriteAllLinesAsync(Path.Combine(folder, "server.log"), Host.Log.Since(serverLogStart));
        var failure = probe.FirstException is { } thrown ? problems.Prepend(thrown.ToString()) : problems;
        await File.WriteAllLinesAsync(Path.Combine(folder, "failure.txt"), failure);
        Output.WriteLine($"Artifacts: {folder}");
    }

    // xunit 2 hands a test nothing but its output helper; the helper knows the test. Should a later xunit rename
    // the field, artifact folders get a random suffix instead of the method name.
    private string NameOf(ITestOutputHelper output)
    {
        var test = output.GetType().GetField("test", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(output) as ITest;
        var method = test?.TestCase.TestMethod.Method.Name ?? Guid.NewGuid().ToString("N")[..8];
        return $"{GetType().Name}.{method}";
    }
}
