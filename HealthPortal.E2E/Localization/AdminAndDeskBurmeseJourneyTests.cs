using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Localization;

/// <summary>
/// Issue 15, the admin's and the desk's oversight pages in Burmese: the consortium admin switches to Burmese and opens
/// the ledger explorer, a transaction, the break-glass review queue and the MPI stewards' queue; a staff member switches
/// to Burmese and checks a walk-in patient. Each page shows none of the English sentences of the folders behind these
/// pages (Explorer, BreakGlass, Mpi, Admin, and Access, whose words the queue reuses) and its Burmese is drawn with
/// Noto Sans Myanmar. Both accounts are switched back to English at the end, as other tests sign in with them. Screenshots in
/// bin/…/artifacts/localization.
/// </summary>
public sealed class AdminAndDeskBurmeseJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private static readonly PortalRole Admin = new("admin", "admin@demo.healthportal.test", "demo-portal-2026");
    private static readonly string[] Folders = ["Explorer", "Access", "BreakGlass", "Mpi", "Admin"];

    [Fact]
    public async Task Admin_InBurmese_OpensTheExplorerATransactionAndBothReviewQueues()
    {
        var folder = Artifacts();
        var page = await LoginAsAsync(Admin);
        try
        {
            await page.GotoAsync("culture?c=my&back=/admin/ledger");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "my", new() { Timeout = 30_000 });
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("blocks-table")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("h1")).ToHaveTextAsync("လယ်ဂျာ ရှာဖွေကြည့်ရှုရန်");
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await ExpectNoEnglishOfAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "ledger-explorer-my.png"), FullPage = true });

            // A transaction of the newest block with any: its page, by the link the explorer gives.
            await page.GetByTestId("tx-link").First.ClickAsync(new() { Timeout = 30_000 });
            await page.WaitForURLAsync(new Regex("/admin/ledger/tx/"), new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("tx-type")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("header-signature")).ToHaveTextAsync("စစ်ဆေးပြီး မှန်ကန်သည်");
            await ExpectNoEnglishOfAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "ledger-transaction-my.png"), FullPage = true });

            await page.GotoAsync("admin/break-glass");
            await page.WaitForInteractiveAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("အရေးပေါ် ဝင်ကြည့်ခြင်း စိစစ်ရန်");
            await Expect(page.GetByTestId("break-glass-pending")).ToHaveTextAsync(new Regex("^\\d+ ခုအနက် \\d+ ခု စောင့်ဆိုင်းဆဲ$"));
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await ExpectNoEnglishOfAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "break-glass-review-my.png"), FullPage = true });

            await page.GotoAsync("admin/mpi-review");
            await page.WaitForInteractiveAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("MPI စိစစ်ရန် စာရင်း");
            await page.GetByTestId("mpi-scan").ClickAsync();
            await Expect(page.GetByTestId("mpi-scan-summary")).ToContainTextAsync("အတွဲ", new() { Timeout = 30_000 });
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await ExpectNoEnglishOfAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "mpi-review-my.png"), FullPage = true });
        }
        finally
        {
            await page.GotoAsync("culture?c=en&back=/admin");
        }
    }

    [Fact]
    public async Task Staff_InBurmese_ChecksAWalkInPatient()
    {
        var folder = Artifacts();
        var demo = DemoData.Patients[0];
        var page = await LoginAsAsync(new PortalRole("riverside staff", DemoData.AccountFor(Roles.FacilityStaff, "demo-riverside").Email, DemoPassword));
        try
        {
            await page.GotoAsync("culture?c=my&back=/facility/walk-in");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "my", new() { Timeout = 30_000 });
            await page.WaitForInteractiveAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync("ဆေးခန်းသို့ လာရောက်သော လူနာ");

            // Nothing typed: the name is refused, in Burmese, beside its field.
            await page.GetByTestId("walk-in-check").ClickAsync();
            await Expect(page.GetByText("လူနာ၏ အမည်ကို ထည့်ပါ (အင်္ဂလိပ် အက္ခရာ၊ မြန်မာစာ သို့မဟုတ် နှစ်မျိုးလုံး)။")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            await page.Locator("input[data-testid='walk-in-name']").FillAsync(demo.FullName);
            await page.Locator("input[data-testid='walk-in-birth-date']").FillAsync(demo.BirthDate.ToString("dd/MM/yyyy"));
            await page.GetByTestId("walk-in-check").ClickAsync();
            await Expect(page.GetByTestId("walk-in-new-patient")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await MyanmarFont.ExpectDrawsAsync(page, Output, "h1");
            await ExpectNoEnglishOfAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "walk-in-my.png"), FullPage = true });
        }
        finally
        {
            await page.GotoAsync("culture?c=en&back=/facility");
        }
    }

    /// <summary>The page's main content contains none of the English sentences of the moved folders' resources.</summary>
    private static Task ExpectNoEnglishOfAsync(IPage page) => EnglishSentences.ExpectNoneAsync(page, "", Folders);

    private static string Artifacts()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "localization");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
