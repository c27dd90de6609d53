using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Admin;

/// <summary>The admins' queue of break-glass accesses on the ledger, each marked Justified or Not justified with a note.</summary>
public sealed class BreakGlassQueuePage(IPage page) : PortalPage(page)
{
    protected override string Path => "admin/break-glass";

    /// <summary>The case whose reason reads <paramref name="reason"/>.</summary>
    public ILocator Case(string reason) => TestId("break-glass-table").Locator("tbody tr")
        .Filter(new() { Has = Page.GetByTestId("break-glass-reason").GetByText(reason, new() { Exact = true }) });

    public ILocator StartReview(ILocator row) => row.GetByTestId("break-glass-start-review");
    public ILocator Note(ILocator row) => row.GetByTestId("break-glass-note");
    public ILocator Justified(ILocator row) => row.GetByTestId("break-glass-justified");
    public ILocator Decision(ILocator row) => row.GetByTestId("break-glass-decision");
    public ILocator Review(ILocator row) => row.GetByTestId("break-glass-review");
}
