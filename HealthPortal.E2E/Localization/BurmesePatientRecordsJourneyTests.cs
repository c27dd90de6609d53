using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.DemoMode;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Localization;

/// <summary>
/// Issue 15, the patient's records in Burmese: the demo family's father (his Riverside admission anchored with his own
/// signature, a caregiver delegation given to his son; Demo/DemoFamilySeeder) switches to Burmese and reads his
/// timeline, one record, his health summary and the people who can act for him. Each page shows none of the English
/// sentences of Features/Patient, Records, Delegation and ActingFor, and its heading is drawn with Noto Sans Myanmar.
/// What the records hold (test names, values, units, the facility's summary line) is data and stays as stored; the
/// correction panels under a record (Features/Corrections) are another folder's. Screenshots in bin/…/artifacts/localization.
/// </summary>
public sealed class BurmesePatientRecordsJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private static readonly string[] Folders = ["Patient", "Records", "Delegation", "ActingFor"];

    [Fact]
    public async Task Patient_InBurmese_ReadsTimelineRecordSummaryAndDelegations_NoEnglishSentenceOfThoseFolders()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "localization");
        Directory.CreateDirectory(folder);
        var father = DemoData.Father;
        var page = await NewPageAsync(new PortalRole("patient " + father.FullName, father.Email, DemoPassword));
        try
        {
            // A full page load: /culture sets the cookie and the profile, then comes back to the timeline.
            await page.GotoAsync("culture?c=my&back=/patient/records");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "my", new() { Timeout = 30_000 });
            var timeline = new RecordsTimelinePage(page);
            await Expect(page.GetByTestId("records-title")).ToHaveTextAsync("ကျွန်ုပ်၏ ကျန်းမာရေး မှတ်တမ်းများ");
            await Expect(timeline.RowsWith("Verified").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("records-still-verifying")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            await Expect(timeline.RowsWith("Verified").First.GetByTestId("integrity-chip")).ToHaveTextAsync("အတည်ပြုပြီး");
            // Each row's summary line is what the facility wrote ("Clinical note — Dr …"): data, as stored.
            await EnglishSentences.ExpectNoneAsync(page, "[data-testid='record-summary']", Folders);
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "records-my.png"), FullPage = true });

            var txId = await timeline.RowsWith("Verified").First.GetAttributeAsync("data-txid");
            await timeline.OpenAsync(txId!);
            await page.WaitForPathAsync("/patient/records/" + txId);
            var record = new RecordDetailPage(page, txId!);
            await Expect(record.Integrity).ToHaveTextAsync("အတည်ပြုပြီး", new() { Timeout = 30_000 });
            await Expect(record.Record).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "လယ်ဂျာပေါ်တွင်" })).ToBeVisibleAsync();
            await EnglishSentences.ExpectNoneAsync(page, "[data-testid='record-history'], [data-testid='ask-correction']", Folders);
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "record-my.png"), FullPage = true });

            var summary = new HealthSummaryPage(page);
            await summary.GotoAsync();
            await Expect(page.GetByTestId("summary-title")).ToHaveTextAsync("ကျွန်ုပ်၏ ကျန်းမာရေး အနှစ်ချုပ်", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("summary-built")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await EnglishSentences.ExpectNoneAsync(page, "", Folders);
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "summary-my.png"), FullPage = true });

            await page.GotoAsync("patient/delegations");
            await page.WaitForInteractiveAsync();
            var given = page.GetByTestId("delegations-given").GetByTestId("delegation-row");
            await Expect(given.First).ToContainTextAsync(DemoData.Son.FullName, new() { Timeout = 30_000 });
            await Expect(given.First.GetByTestId("delegation-status")).ToHaveTextAsync("အသက်ဝင်နေသည်");
            await EnglishSentences.ExpectNoneAsync(page, "", Folders);
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "delegations-my.png"), FullPage = true });
        }
        finally
        {
            // The choice is saved in the profile and followed at every sign-in: give the shared demo patient English back.
            await page.GotoAsync("culture?c=en&back=/patient");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en", new() { Timeout = 30_000 });
        }
    }
}
