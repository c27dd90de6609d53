using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Admin;

/// <summary>The consortium admin co-signs recoveries that a facility verified.</summary>
public sealed class RecoveriesPage(IPage page) : PortalPage(page)
{
    protected override string Path => "admin/recoveries";

    public ILocator CoSign => TestId("recovery-approve");
    public ILocator Message => TestId("recoveries-message");
}
