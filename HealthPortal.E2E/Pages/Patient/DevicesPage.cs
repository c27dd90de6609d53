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

    /// <summary>
    /// Opens the page and links this browser through the demo enrolment device. Linking seals a ledger block with the
    /// new key and only then marks the row; under two test suites on two cores that took longer than Playwright's
    /// default 5 s (CI, stop 29), so the wait is 30 s here, once, instead of a default at every call site.
    /// </summary>
    public async Task LinkWithDemoDeviceAsync()
    {
        await GotoAsync();
        await TestId("demo-link").ClickAsync();
        await Assertions.Expect(ThisDeviceRow).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }
}
