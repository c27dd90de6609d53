using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The patient reviews what a facility recorded and co-signs it with this browser's key, or rejects it.</summary>
public sealed class ConfirmRecordsPage(IPage page, string confirmationId) : PortalPage(page)
{
    protected override string Path => "patient/confirm/" + confirmationId;

    public ILocator Facility => TestId("review-facility");
    public ILocator Kinds => TestId("review-kind");
    public ILocator Summaries => TestId("review-summary");
    public ILocator Canonical => TestId("review-canonical");
    public ILocator CanonicalPanel => TestId("review-canonical-panel");
    public ILocator ConfirmAndSign => TestId("confirm-sign");
    public ILocator NoKey => TestId("confirm-no-key");
    public ILocator Anchored => TestId("confirm-anchored");
    public ILocator Block => TestId("confirm-block");
    public ILocator OpenReject => TestId("confirm-reject-open");
    public ILocator Reason => TestId("reject-reason");
    public ILocator Reject => TestId("confirm-reject");
    public ILocator Rejected => TestId("confirm-rejected");
    public ILocator Error => TestId("confirm-error");
}
