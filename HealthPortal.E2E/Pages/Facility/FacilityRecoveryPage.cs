using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>A facility manager verifies a patient in person and the facility's node key signs key.recover.</summary>
public sealed class FacilityRecoveryPage(IPage page) : PortalPage(page)
{
    protected override string Path => "facility/recovery";

    public ILocator Mpi => TestId("recovery-mpi-input");
    public ILocator Find => TestId("recovery-find");
    public ILocator Found => TestId("recovery-found");
    public ILocator Name => TestId("recovery-name");
    public ILocator ConfirmedInPerson => TestId("recovery-confirm");
    public ILocator Code => TestId("recovery-code-input");
    public ILocator Sign => TestId("recovery-verify");
    public ILocator Signed => TestId("recovery-signed");
    public ILocator MpiError => Page.GetByText("This MPI number has a typo");
}
