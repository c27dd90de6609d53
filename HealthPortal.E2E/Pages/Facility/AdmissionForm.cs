using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>The hospital's admission form on the staff patient page (Riverside): the encounter, diagnoses and a note.</summary>
public sealed class AdmissionForm(IPage page)
{
    public ILocator Form => page.GetByTestId("hospital-admission-form");
    public ILocator Ward => Field("admission-ward");
    public ILocator Attending => Field("admission-attending");
    public ILocator StartDate => Field("admission-start-date");
    public ILocator Note => Field("admission-note");
    public ILocator Save => page.GetByTestId("save-admission");
    public ILocator Saved => page.GetByTestId("ehr-form-saved");
    public ILocator Problem => page.GetByTestId("ehr-form-problem");

    public ILocator Icd10(int index) => Field($"diagnosis-{index}-icd10");
    public ILocator Description(int index) => Field($"diagnosis-{index}-description");

    /// <summary>Types a date into an editable picker the way staff do, then leaves the field so it is parsed.</summary>
    public async Task TypeStartDateAsync(DateTime date)
    {
        await StartDate.FillAsync(date.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await StartDate.PressAsync("Tab");
    }

    /// <summary>
    /// MudBlazor puts a text field's test id on its input but a picker's on the wrapper; this finds the input either way.
    /// </summary>
    private ILocator Field(string testId) => page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input");
}
