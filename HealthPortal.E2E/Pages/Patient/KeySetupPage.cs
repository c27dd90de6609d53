using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>Key setup: make the browser key, proof of work, review what is signed, sign and register.</summary>
public sealed class KeySetupPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/key";

    public ILocator MakeKey => TestId("make-key");
    public ILocator NonExtractable => TestId("key-nonextractable");
    public ILocator PowProgress => TestId("pow-progress");
    public ILocator PowStatus => TestId("pow-status");
    public ILocator SignSummary => TestId("sign-summary");
    public ILocator SummaryMpi => TestId("sign-mpi");
    public ILocator CanonicalPanel => TestId("canonical-panel");
    public ILocator CanonicalJson => TestId("canonical-json");
    public ILocator SignAndRegister => TestId("sign-register");
    public ILocator RegisteredMpi => TestId("registered-mpi");
    public ILocator RegisteredHeight => TestId("registered-height");
    public ILocator OpenCard => TestId("open-card");
    public ILocator Error => TestId("key-error");

    public async Task ShowCanonicalJsonAsync()
    {
        await CanonicalPanel.GetByText("The exact text your browser signs").ClickAsync();
        await CanonicalJson.WaitForAsync();
    }
}
