using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages;

/// <summary>The portal's landing page.</summary>
public sealed class HomePage(IPage page) : PortalPage(page)
{
    protected override string Path => "";

    public ILocator Title => Heading(1);
}
