using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Admin;

/// <summary>The consortium admin co-signs recoveries that a facility verified.</summary>
public sealed class RecoveriesPage(IPage page) : PortalPage(page)
{
    protected override string Path => "admin/recoveries";

    public ILocator CoSign => TestId("recovery-approve");

    /// <summary>"Co-sign" in the plain-words confirmation that follows the row's button.</summary>
    public ILocator ConfirmCoSign => Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Co-sign", Exact = true });
    public ILocator Message => TestId("recoveries-message");
}
