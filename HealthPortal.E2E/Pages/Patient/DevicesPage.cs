using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The patient's keys: this device marked, key check, linking (existing device side), revoking.</summary>
public sealed class DevicesPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/devices";

    public ILocator ThisDeviceStatus => TestId("this-device-status");
    public ILocator Rows => TestId("device-row");
    public ILocator ThisDeviceRow => Page.Locator("[data-testid='device-row'][data-this='true']");
    public ILocator CheckKey => TestId("key-check");
    public ILocator CheckResult => TestId("key-check-result");
    public ILocator OpenLink => TestId("open-link");
    public ILocator LinkCode => TestId("link-code");
    public ILocator LinkQr => TestId("link-qr");
    public ILocator LinkStage => TestId("link-stage");
    public ILocator NewKeyFingerprint => TestId("link-new-kid");
    public ILocator Approve => TestId("link-approve");
    public ILocator GoLink => TestId("go-link");
    public ILocator GoRecovery => TestId("go-recovery");
}
