using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>
/// "Records from other facilities" on the staff patient page: the list read through the interop path, the record
/// shown by View, and the emergency access form.
/// </summary>
public sealed class SharedRecordsPanel(IPage page)
{
    private readonly ILocator root = page.GetByTestId("shared-records-panel");

    public ILocator NoGrant => root.GetByTestId("shared-no-grant");
    public ILocator AccessChanged => root.GetByTestId("shared-access-changed");
    public ILocator Reload => root.GetByTestId("shared-reload");
    public ILocator Table => root.GetByTestId("shared-records");
    public ILocator Kinds => root.GetByTestId("shared-record-kind");
    public ILocator Detail => root.GetByTestId("shared-record-detail");
    public ILocator Denied => root.GetByTestId("shared-record-denied");

    public ILocator EmergencyOpen => root.GetByTestId("emergency-open");
    public ILocator EmergencyReason => root.Locator("#emergency-reason");
    public ILocator EmergencyConfirm => root.GetByTestId("emergency-confirm");
    public ILocator EmergencySession => root.GetByTestId("emergency-session");
    public ILocator EmergencyExpiry => root.GetByTestId("emergency-session-expiry");

    /// <summary>The rows of one kind ("Encounter") held by one facility ("Riverside General Hospital").</summary>
    public ILocator Rows(string kind, string facility) => Table.Locator("tbody tr")
        .Filter(new() { Has = page.GetByTestId("shared-record-kind").GetByText(kind, new() { Exact = true }) })
        .Filter(new() { HasText = facility });

    public ILocator Integrity(ILocator row) => row.GetByTestId("integrity-chip");

    public ILocator View(ILocator row) => row.GetByTestId("shared-record-view");

    /// <summary>The radio of one break-glass reason by its label (the code goes on the ledger; the words stay in the portal).</summary>
    public ILocator EmergencyReasonCode(string label) => root.GetByRole(AriaRole.Radio, new() { Name = label, Exact = true });

    public async Task OpenEmergencyAccessAsync(string reason, string codeLabel = "Patient unconscious")
    {
        await EmergencyOpen.ClickAsync();
        await EmergencyReasonCode(codeLabel).CheckAsync();
        await EmergencyReason.FillAsync(reason);
        await EmergencyConfirm.ClickAsync();
        // The plain-words confirmation (a MudBlazor message box) before the session opens.
        await EmergencyYes.ClickAsync();
    }

    /// <summary>The confirmation dialog's "Yes, open it" (the dialog renders outside the panel).</summary>
    public ILocator EmergencyYes => page.GetByRole(AriaRole.Button, new() { Name = "Yes, open it" });

    public ILocator EmergencyEnd => root.GetByTestId("emergency-end");
    public ILocator EmergencyEnded => root.GetByTestId("emergency-ended");
}
