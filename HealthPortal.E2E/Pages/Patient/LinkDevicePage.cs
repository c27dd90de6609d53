using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The new browser's side of linking: enter the one-time code, then wait for the approval.</summary>
public sealed class LinkDevicePage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/link";

    public ILocator Code => TestId("link-code-input");
    public ILocator Join => TestId("link-join");
    public ILocator Waiting => TestId("link-waiting");
    public ILocator MyFingerprint => TestId("link-my-kid");
    public ILocator Done => TestId("link-done");
    public ILocator Error => TestId("link-error");
}
