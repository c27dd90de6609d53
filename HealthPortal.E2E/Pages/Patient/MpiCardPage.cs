using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

public sealed class MpiCardPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/card";

    public ILocator Name => TestId("card-name");
    public ILocator Mpi => TestId("card-mpi");
    public ILocator Qr => TestId("mpi-qr");
    public ILocator Print => TestId("print-card");
}
