using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>"Ask the patient for access" on the staff patient page: the request form and the facility's requests.</summary>
public sealed class RequestAccessPanel(IPage page)
{
    private readonly ILocator root = page.GetByTestId("request-access-panel");

    public ILocator Kind(string kind) => root.GetByTestId($"request-kind-{kind}");
    public ILocator Purpose(string purpose) => root.GetByTestId($"request-purpose-{purpose}");
    public ILocator Days => root.Locator("#request-days");
    public ILocator Message => root.Locator("#request-message");
    public ILocator Send => root.GetByTestId("request-send");
    public ILocator Error => root.GetByTestId("request-error");
    public ILocator Rows => root.GetByTestId("request-row");
    public ILocator Status(ILocator row) => row.GetByTestId("request-status");
}
