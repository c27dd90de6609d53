using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>The facility's home: find a patient by MPI number, and the lists of today's, waiting and rejected records.</summary>
public sealed class FacilityDashboardPage(IPage page) : PortalPage(page)
{
    protected override string Path => "facility";

    public ILocator Mpi => TestId("mpi-input");
    public ILocator OpenPatient => TestId("find-patient");
    public ILocator ScanCard => TestId("scan-card");
    public ILocator ScanUnavailable => TestId("scan-unavailable");
    public ILocator FindError => TestId("find-error");
    public ILocator MpiTypo => Page.GetByText("This MPI number has a typo");
    public ILocator Search => TestId("search-input");
    public ILocator SearchButton => TestId("search-patients");
    public ILocator SearchResults => TestId("search-result");
    public ILocator SearchEmpty => TestId("search-empty");
    public ILocator RecentPatients => TestId("recent-patient");
    public ILocator TodayCount => TestId("today-count");
    public ILocator WaitingCount => TestId("facility-waiting-count");
    public ILocator RejectedCount => TestId("rejected-count");

    public ILocator Waiting(string confirmationId) => Page.Locator($"[data-testid='waiting-facility-item'][data-confirmation-id='{confirmationId}']");
    public ILocator Rejected(string confirmationId) => Page.Locator($"[data-testid='rejected-item'][data-confirmation-id='{confirmationId}']");
}
