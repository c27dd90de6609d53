using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The patient reviews what a facility recorded and co-signs it with this browser's key, or rejects it.</summary>
public sealed class ConfirmRecordsPage(IPage page, string confirmationId) : PortalPage(page)
{
    protected override string Path => "patient/confirm/" + confirmationId;

    public ILocator Title => TestId("confirm-title");
    public ILocator Facility => TestId("review-facility");
    /// <summary>The full content of each record (the common record view), in a box the patient reads to its end.</summary>
    public ILocator Content => TestId("review-content");
    public ILocator SignBlocked => TestId("confirm-sign-blocked");
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

    /// <summary>
    /// What a patient does before signing: scrolls every record's box to its end (a short one is read at once). The
    /// sign button stays disabled until each record to sign was read through.
    /// </summary>
    public async Task ReadEverythingAsync()
    {
        await Assertions.Expect(Content.First).ToBeVisibleAsync();
        foreach (var box in await Content.AllAsync())
        {
            await box.ScrollIntoViewIfNeededAsync();
            await box.EvaluateAsync("box => box.scrollTop = box.scrollHeight");
        }
    }

    public ILocator Record(string recordId) => Page.Locator($"[data-testid='review-record'][data-record-id='{recordId}']");
}
