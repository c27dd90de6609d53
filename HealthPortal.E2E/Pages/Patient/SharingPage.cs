using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The patient's Sharing page: the grant form, its review (summary and signed text), the grant list, revoke,
/// and the facilities' requests for access.</summary>
public sealed class SharingPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/grants";

    public ILocator Facility(string facilityId) => TestId($"grant-facility-{facilityId}");
    public ILocator Kind(string kind) => TestId($"grant-kind-{kind}");
    public ILocator Purpose(string purpose) => TestId($"grant-purpose-{purpose}");
    /// <summary>The day-first date fields of the period (a picker's test id is on its wrapper or its input).</summary>
    public ILocator StartDate => Page.Locator("[data-testid='grant-start-date'] input, input[data-testid='grant-start-date']");
    public ILocator EndDate => Page.Locator("[data-testid='grant-end-date'] input, input[data-testid='grant-end-date']");
    public ILocator Review => TestId("grant-review");
    public ILocator Error(string field) => TestId($"grant-error-{field}");
    public ILocator Summary => TestId("grant-summary");
    public ILocator CanonicalPanel => TestId("canonical-panel");
    public ILocator CanonicalJson => TestId("canonical-json");
    public ILocator Sign => TestId("grant-sign");
    public ILocator Done => TestId("grant-done");
    public ILocator Height => TestId("grant-height");
    public ILocator ShareAnother => TestId("grant-new");
    public ILocator Notice => TestId("grants-notice");
    public ILocator Rows => TestId("grant-row");
    public ILocator RowsIn(string status) => Page.Locator($"[data-testid='grant-row'][data-status='{status}']");
    public ILocator Row(string grantId) => Page.Locator($"[data-testid='grant-row'][data-grant-id='{grantId}']");
    public ILocator RevokeDialog => TestId("revoke-dialog");
    public ILocator RevokeConfirm => TestId("revoke-confirm");
    public ILocator PendingRequests => TestId("pending-request");
    public ILocator Approve(ILocator request) => request.GetByTestId("request-approve");

    public async Task ShowCanonicalJsonAsync()
    {
        await CanonicalPanel.ClickAsync();
        await CanonicalJson.WaitForAsync();
    }
}
