// FHIR POCO elements are all optional (nullable); the test navigates what the IPS builder is known to set.
#nullable disable warnings
using System.Text.Json.Nodes;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using IpsDocument = HealthPortal.Features.Patient.Summary.IpsDocument;
using HealthPortal.Features.Records;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Records;

/// <summary>
/// Issue 16, "a health summary people can read": the demo patient opens their summary in Chromium, reads the seeded
/// allergy, problem and results with a trend, and downloads the FHIR document, which parses as an IPS-shaped document.
/// </summary>
public sealed class HealthSummaryTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{

    [Fact]
    public async System.Threading.Tasks.Task Patient_OpensSummary_SeesSeededAllergyProblemAndResultTrend_DownloadsTheFhirDocument()
    {
        var demo = DemoData.Patients[0];
        var page = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        var summary = new HealthSummaryPage(page);

        await summary.GotoAsync();

        // Other tests of this host may add records for the same patient: look for the seeded ones, not for counts.
        var penicillin = summary.Allergies.Filter(new() { HasText = "Penicillin" }).First;
        await Expect(penicillin).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(penicillin).ToContainTextAsync("Widespread itchy rash (moderate)");
        await Expect(summary.Problems.Filter(new() { HasText = "Asthma, unspecified" }).First).ToBeVisibleAsync();
        await Expect(summary.Medications.Filter(new() { HasText = "Salbutamol" }).First).ToBeVisibleAsync();
        var hemoglobin = summary.Result("Hemoglobin");
        await Expect(hemoglobin.GetByTestId("summary-result-latest")).ToHaveTextAsync("11.4 g/dL");
        await Expect(hemoglobin.GetByTestId("summary-result-previous")).ToContainTextAsync("up from 10.6 g/dL");
        await Expect(hemoglobin.GetByTestId("summary-result-range")).ToContainTextAsync("12–17.5 g/dL");
        await Expect(hemoglobin.GetByTestId("result-trend-chart").Locator("svg").First).ToBeVisibleAsync();
        await Expect(summary.Result("White blood cells (leukocytes)").GetByTestId("summary-result-latest")).ToHaveTextAsync("7.2 ×10³/µL");
        // Each line leads to the record it was read from.
        await Expect(summary.Allergies.First.GetByTestId("summary-source")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("patient/records/"));
        await Expect(summary.Print).ToBeVisibleAsync();
        // Dates read day first, like every other page (the patient's clock, Asia/Yangon by default), never ISO.
        var dayFirst = new System.Text.RegularExpressions.Regex(@"^\d{1,2} [A-Z][a-z]{2} \d{4}$");
        Assert.All(await hemoglobin.GetByTestId("summary-result-point").Locator("td[data-label=Taken]").AllInnerTextsAsync(),
            taken => Assert.Matches(dayFirst, taken.Trim()));
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", await page.GetByTestId("health-summary").InnerTextAsync());

        var download = await summary.DownloadAsync();
        Assert.StartsWith("health-summary-", download.SuggestedFilename);
        var path = Path.Combine(Host.DataFolder, "downloads", "summary-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        await download.SaveAsAsync(path);
        var json = await File.ReadAllTextAsync(path);
        var bundle = Assert.IsType<Bundle>(FhirJson.TryParse(json));
        Assert.Equal(Bundle.BundleType.Document, bundle.Type);
        var composition = Assert.IsType<Composition>(bundle.Entry[0].Resource);
        Assert.Equal(IpsDocument.CompositionType, composition.Type.Coding[0].Code);
        var allergySection = composition.Section.Single(s => s.Code.Coding[0].Code == IpsDocument.AllergiesSection);
        var allergy = bundle.Entry.First(e => e.Resource is AllergyIntolerance a && a.Code?.Text == "Penicillin");
        Assert.Contains(allergySection.Entry, r => r.Reference == allergy.FullUrl);
        Assert.Contains(bundle.Entry, e => e.Resource is Provenance p && p.Target.Any(t => t.Reference == allergy.FullUrl));
        Assert.Equal("document", (string?)JsonNode.Parse(json)!["type"]);
        // The narrative a person reads in a FHIR viewer is day first on the patient's clock; coded dates stay FHIR dates.
        Assert.Contains("(Yangon time)", composition.Text.Div);
        Assert.All(composition.Section, section => Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", section.Text.Div));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}", ((AllergyIntolerance)allergy.Resource).RecordedDate);
    }

    [Fact]
    public async System.Threading.Tasks.Task PrintStyles_HideTheNavigationAndButtons()
    {
        var demo = DemoData.Patients[0];
        var page = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        var summary = new HealthSummaryPage(page);
        await summary.GotoAsync();
        await Expect(summary.Allergies.First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await page.EmulateMediaAsync(new() { Media = Microsoft.Playwright.Media.Print });

        await Expect(summary.Print).ToBeHiddenAsync();
        await Expect(summary.Download).ToBeHiddenAsync();
        await Expect(page.Locator(".mud-appbar")).ToBeHiddenAsync();
        await Expect(summary.Allergies.First).ToBeVisibleAsync();
    }
}
