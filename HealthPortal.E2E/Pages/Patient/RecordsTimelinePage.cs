using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>"My health records": the timeline across facilities, its filters, integrity chips and downloads.</summary>
public sealed class RecordsTimelinePage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/records";

    public ILocator Loading => TestId("records-loading");
    public ILocator Empty => TestId("records-empty");
    public ILocator NotRegistered => TestId("records-not-registered");
    public ILocator NoneMatch => TestId("records-none-match");
    public ILocator Count => TestId("records-count");
    public ILocator AlteredWarning => TestId("altered-warning");
    public ILocator Rows => TestId("timeline-row");

    public ILocator FacilityFilter => TestId("filter-facility");
    public ILocator KindFilter => TestId("filter-kind");
    // MudBlazor 9 puts a picker's test id on its input; the wrapper form is kept should a version move it back.
    public ILocator FromFilter => Page.Locator("input[data-testid='filter-from'], [data-testid='filter-from'] input");
    public ILocator ToFilter => Page.Locator("input[data-testid='filter-to'], [data-testid='filter-to'] input");
    public ILocator ClearFilters => TestId("filter-clear");
    public ILocator DownloadAll => TestId("download-all");

    /// <summary>The row of the record anchored by <paramref name="txId"/>.</summary>
    public ILocator Row(string txId) => Page.Locator($"[data-testid='timeline-row'][data-txid='{txId}']");

    /// <summary>Rows with a given verdict: "Verified", "Altered" or "Unavailable".</summary>
    public ILocator RowsWith(string integrity) => Page.Locator($"[data-testid='timeline-row'][data-integrity='{integrity}']");

    /// <summary>The chip's words for one row ("Verified", "Altered since anchored", "Unavailable").</summary>
    public Task<string> IntegrityOfAsync(string txId) => Row(txId).GetByTestId("integrity-chip").InnerTextAsync();

    public Task OpenAsync(string txId) => Row(txId).GetByTestId("record-open").ClickAsync();

    /// <summary>Picks an option of a MudSelect filter by its visible text.</summary>
    public async Task ChooseAsync(ILocator filter, string option)
    {
        await filter.ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }

    public Task<IDownload> DownloadReceiptAsync(string txId) =>
        Page.RunAndWaitForDownloadAsync(() => Row(txId).GetByTestId("download-receipt").ClickAsync());

    public Task<IDownload> DownloadAllAsync() => Page.RunAndWaitForDownloadAsync(() => DownloadAll.ClickAsync());
}
