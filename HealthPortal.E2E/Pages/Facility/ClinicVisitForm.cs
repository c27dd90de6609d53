using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>The clinic's visit form on the staff patient page (Lakeview): complaint, findings, treatment and vital signs.</summary>
public sealed class ClinicVisitForm(IPage page)
{
    public ILocator Form => page.GetByTestId("clinic-visit-form");
    public ILocator Date => Field("visit-date");
    public ILocator Clinician => Field("visit-clinician");
    public ILocator Complaint => Field("visit-complaint");
    public ILocator Findings => Field("visit-findings");
    public ILocator Treatment => Field("visit-treatment");
    public ILocator Systolic => Field("vitals-systolic");
    public ILocator Diastolic => Field("vitals-diastolic");
    public ILocator Temperature => Field("vitals-temperature");
    public ILocator Weight => Field("vitals-weight");
    public ILocator Save => page.GetByTestId("save-visit");
    public ILocator Saved => page.GetByTestId("ehr-form-saved");
    public ILocator Problem => page.GetByTestId("ehr-form-problem");

    public async Task TypeDateAsync(DateTime date)
    {
        await Date.FillAsync(date.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await Date.PressAsync("Tab");
    }

    private ILocator Field(string testId) => page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea");
}
