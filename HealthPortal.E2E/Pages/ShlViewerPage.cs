using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages;

/// <summary>The anonymous share-link viewer (a plain page, no circuit): opened with the whole link, key in the fragment.</summary>
public sealed class ShlViewerPage(IPage page)
{
    public IPage Page { get; } = page;

    public Task OpenAsync(string link) => Page.GotoAsync(link);

    public ILocator Status => Page.GetByTestId("shl-status");
    public ILocator Recipient => Page.GetByTestId("shl-recipient");
    public ILocator Pin => Page.GetByTestId("shl-pin");
    public ILocator Open => Page.GetByTestId("shl-open");
    public ILocator Error => Page.GetByTestId("shl-error");
    public ILocator Records => Page.GetByTestId("shl-record");
}
