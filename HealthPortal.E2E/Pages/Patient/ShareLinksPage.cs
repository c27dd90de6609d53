using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>"Share links": choose records, label, expiry and PIN; the browser encrypts and shows the SMART Health Link.</summary>
public sealed class ShareLinksPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/share";

    public ILocator Records => TestId("share-record");

    /// <summary>Record rows whose checkbox can be ticked (verified records).</summary>
    public ILocator Selectable => Records.Filter(new() { Has = Page.Locator("input[type=checkbox]:not([disabled])") });

    public ILocator Label => TestId("share-label");

    public ILocator Pin => TestId("share-pin");

    public ILocator Make => TestId("share-make");

    /// <summary>The line naming the person whose links these are, while acting for them.</summary>
    public ILocator ActingFor => TestId("share-acting-for");

    /// <summary>The plain refusal shown instead of the form when the delegation does not allow sharing.</summary>
    public ILocator NotAllowed => TestId("share-not-allowed");

    public ILocator LinkValue => TestId("share-link-value");

    public ILocator Qr => TestId("share-link-qr");

    public ILocator Links => TestId("share-link-row");

    public ILocator LinkRow(string label) => Links.Filter(new() { Has = Page.GetByTestId("share-link-label").GetByText(label, new() { Exact = true }) });

    public async Task TickAsync(ILocator row) => await row.Locator("input[type=checkbox]").CheckAsync();
}
