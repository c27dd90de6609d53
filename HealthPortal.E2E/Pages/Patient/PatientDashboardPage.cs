using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>The patient's home: their details (asked for on first visit) and the next step with keys.</summary>
public sealed class PatientDashboardPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient";

    public ILocator SetUpKey => TestId("cta-setup-key").GetByRole(AriaRole.Link);

    public ILocator WaitingCount => TestId("waiting-count");
    public ILocator WaitingItems => TestId("waiting-item");

    public ILocator BreakGlassAlert => TestId("break-glass-alert");
    public ILocator BreakGlassAlertItems => TestId("break-glass-alert-item");

    /// <summary>Fills and saves the first-visit details; sex has no default on the form, so one is always chosen.</summary>
    public async Task FillDetailsAsync(string fullName, string birthDate, string nationalId, string phone, string sex = "Unknown / prefer not to say")
    {
        await TestId("profile-fullname").FillAsync(fullName);
        await TestId("profile-birthdate").FillAsync(birthDate);
        await TestId("profile-birthdate").PressAsync("Tab");
        // The select's popover must be closed before the next click, or Save lands on its overlay.
        await TestId("profile-sex").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = sex, Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = sex, Exact = true }).WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        await TestId("profile-nrc").FillAsync(nationalId);
        await TestId("profile-phone").FillAsync(phone);
        await TestId("save-profile").ClickAsync();
        await TestId("patient-profile").WaitForAsync();
    }
}
