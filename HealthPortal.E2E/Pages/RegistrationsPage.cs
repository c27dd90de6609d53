using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages;

/// <summary>Admin → Node registrations.</summary>
public sealed class RegistrationsPage(IPage page) : PortalPage(page)
{
    protected override string Path => "admin/registrations";

    /// <summary>The tab of a status, e.g. "Pending" (its label carries a count).</summary>
    public ILocator Tab(string status) => Page.GetByRole(AriaRole.Tab, new() { NameRegex = new($"^{status} \\(\\d+\\)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase) });

    /// <summary>The row of a facility in the table of the tab shown.</summary>
    public ILocator Row(string facilityName) =>
        TestId("registrations-table").Locator("tbody tr").Filter(new() { Has = Page.GetByTestId("registration-name").GetByText(facilityName, new() { Exact = true }) });

    public ILocator Stamp(string facilityName) => Row(facilityName).GetByTestId("pow-stamp");

    public ILocator Status(string facilityName) => Row(facilityName).GetByTestId("facility-status");

    public ILocator Approve(string facilityName) => Row(facilityName).GetByTestId("approve");

    /// <summary>"Approve" in the plain-words confirmation that follows the row's button.</summary>
    public ILocator ConfirmApprove => Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true });

    public ILocator ManagerInvitationLink => Page.GetByLabel("Manager invitation link");
}
