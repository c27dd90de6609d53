using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Patient;

/// <summary>"My health summary": allergies, problems, medicines, result trends from verified records, print and the FHIR document.</summary>
public sealed class HealthSummaryPage(IPage page) : PortalPage(page)
{
    protected override string Path => "patient/summary";

    public ILocator Loading => TestId("summary-loading");
    public ILocator Allergies => TestId("summary-allergy");
    public ILocator Problems => TestId("summary-problem");
    public ILocator Medications => TestId("summary-medication");
    public ILocator Results => TestId("summary-result");
    public ILocator NotIncluded => TestId("summary-not-included-record");
    public ILocator Print => TestId("summary-print");
    public ILocator Download => TestId("summary-download");

    /// <summary>The trend block of one test, by its readable name ("Hemoglobin").</summary>
    public ILocator Result(string name) =>
        Results.Filter(new() { Has = Page.GetByTestId("summary-result-name").GetByText(name, new() { Exact = true }) });

    public Task<IDownload> DownloadAsync() => Page.RunAndWaitForDownloadAsync(() => Download.ClickAsync());
}
