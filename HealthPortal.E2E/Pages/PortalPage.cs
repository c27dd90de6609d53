using HealthPortal.E2E.Infrastructure;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages;

/// <summary>
/// Base of the page objects (one per portal screen: LoginPage, then the Admin, Patient and Staff pages). A page
/// object knows its path and how to find its parts by role, label or test id; tests speak in its terms.
/// </summary>
public abstract class PortalPage(IPage page)
{
    public IPage Page { get; } = page;

    /// <summary>The path relative to the portal's base address, e.g. "Account/Login".</summary>
    protected abstract string Path { get; }

    /// <summary>
    /// Whether the screen runs on the Blazor circuit. Static SSR screens (the login form) say false, so navigating
    /// there does not wait for a circuit that never starts.
    /// </summary>
    protected virtual bool IsInteractive => true;

    /// <summary>Navigates here, then waits until the screen answers clicks. Returns the HTTP status of the document.</summary>
    public async Task<int> GotoAsync()
    {
        var response = await Page.GotoAsync(Path);
        if (IsInteractive)
            await Page.WaitForInteractiveAsync();
        return response?.Status ?? 0;
    }

    /// <summary>Waits until a screen reached by a click or redirect answers clicks.</summary>
    public Task WaitForInteractiveAsync() => Page.WaitForInteractiveAsync();

    protected ILocator TestId(string testId) => Page.GetByTestId(testId);

    protected ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    protected ILocator Heading(int level) => Page.GetByRole(AriaRole.Heading, new() { Level = level });
}
