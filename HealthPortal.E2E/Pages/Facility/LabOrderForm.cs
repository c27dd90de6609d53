using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>The laboratory's form on the staff patient page (Northgate): create an order, then report its results.</summary>
public sealed class LabOrderForm(IPage page)
{
    public ILocator Form => page.GetByTestId("laboratory-form");
    public ILocator Clinician => Field("order-clinician");
    public ILocator CollectedDate => Field("order-collected-date");
    public ILocator CreateOrder => page.GetByTestId("save-order");
    public ILocator Saved => page.GetByTestId("ehr-form-saved");
    public ILocator Problem => page.GetByTestId("ehr-form-problem");

    /// <summary>The checkbox that adds a catalogue test (by LOINC code) to the new order.</summary>
    public ILocator Test(string loinc) => Field($"order-test-{loinc}");

    /// <summary>The pending order (results not reported yet) that <paramref name="clinician"/> ordered.</summary>
    public PendingOrder OrderedBy(string clinician) =>
        new(page.Locator("[data-testid^='pending-order-']").Filter(new() { HasText = "Ordered by " + clinician }));

    public async Task TypeCollectedDateAsync(DateTime date)
    {
        await CollectedDate.FillAsync(date.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await CollectedDate.PressAsync("Tab");
    }

    private ILocator Field(string testId) => page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input");

    public sealed class PendingOrder(ILocator paper)
    {
        public ILocator Paper => paper;
        public ILocator Value(string loinc) => paper.Locator($"input[data-testid='result-{loinc}'], [data-testid='result-{loinc}'] input");
        public ILocator Unit(string loinc) => paper.GetByTestId($"result-{loinc}-unit");
        public ILocator Flag(string loinc) => paper.GetByTestId($"result-{loinc}-flag");
        public ILocator Report => paper.GetByTestId("save-results");
    }
}
