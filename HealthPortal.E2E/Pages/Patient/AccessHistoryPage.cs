using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>"Who accessed my records": the ledger's access entries of the patient, emergency ones highlighted.</summary>
public sealed class AccessHistoryPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/access";

    public ILocator Count => TestId("access-count");

    /// <summary>Access rows (the table's "no records" row has no facility, so it is not one).</summary>
    public ILocator Rows => TestId("access-table").Locator("tbody tr").Filter(new() { Has = Page.GetByTestId("access-facility") });

    public ILocator RowsOf(string facilityName) => Rows.Filter(new() { Has = Page.GetByTestId("access-facility").GetByText(facilityName, new() { Exact = true }) });

    /// <summary>Rows the page highlights as emergency (break-glass) access.</summary>
    public ILocator Highlighted => Rows.And(Page.Locator(".access-break-glass"));
}
