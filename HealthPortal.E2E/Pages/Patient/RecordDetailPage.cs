using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>One record: the common record view, its verdict and its anchor on the ledger.</summary>
public sealed class RecordDetailPage(IPage page, string txId) : PortalPage(page)
{
    protected override string Path => $"patient/records/{txId}";

    /// <summary>The record's verdict in the page header (a corrected record's history shows each version's verdict below it).</summary>
    public ILocator Integrity => TestId("integrity-chip").First;
    public ILocator IntegrityMessage => TestId("integrity-message");
    /// <summary>The verified record's view (a bundle's entries nest views of their own inside it).</summary>
    public ILocator Record => TestId("fhir-record").First;
    public ILocator NotFound => TestId("record-not-found");
    public ILocator AnchorHeight => TestId("anchor-height");
    public ILocator AnchorTxId => TestId("anchor-txid");
    public ILocator AnchoredHash => TestId("anchored-hash");
    public ILocator CurrentHash => TestId("current-hash");
    public ILocator ShowChanged => TestId("show-changed");
    public ILocator ChangedContent => TestId("changed-content");
    public ILocator Back => TestId("back-to-records");

    /// <summary>A labelled field of the record view ("Period", "Dose", "Reference range").</summary>
    public ILocator Field(string label) => Page.Locator($"[data-testid='fhir-field'][data-field='{label}'] td");

    public Task<IDownload> DownloadReceiptAsync() => Page.RunAndWaitForDownloadAsync(() => TestId("download-receipt").ClickAsync());
}
