using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The patient's new browser asks for recovery: it shows the recovery code and follows the request.</summary>
public sealed class RecoverKeysPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/recovery";

    public ILocator Start => TestId("recovery-start");
    public ILocator Code => TestId("recovery-code");
    public ILocator Mpi => TestId("recovery-mpi");
    public ILocator Qr => TestId("recovery-qr");
    public ILocator Status => TestId("recovery-status");
    public ILocator Completed => TestId("recovery-completed");
}
