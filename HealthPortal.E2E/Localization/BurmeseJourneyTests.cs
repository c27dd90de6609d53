using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.Features.DemoMode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Localization;

/// <summary>
/// Issue 15: a patient picks Burmese on the login page, signs in, reads the portal in Burmese drawn with the portal's
/// Noto Sans Myanmar (loaded, used for the text, and shaping the script: no tofu boxes), and switches back to English.
/// Screenshots of both languages are left in bin/…/artifacts/localization.
/// </summary>
public sealed class BurmeseJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string MyHealthProfileInBurmese = "ကျွန်ုပ်၏ ကျန်းမာရေး ပရိုဖိုင်";

    [Fact]
    public async Task Patient_SwitchesToBurmeseOnLogin_ReadsTheNavInBurmeseWithTheMyanmarFont_AndSwitchesBack()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "localization");
        Directory.CreateDirectory(folder);
        var patient = DemoData.Patients[0];

        await Page.GotoAsync("Account/Login");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await Page.GetByTestId("language-my").ClickAsync();
        await Page.WaitForPathAsync("/Account/Login");
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "my");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("အကောင့်ဝင်ရန်");
        await MyanmarFont.ExpectDrawsAsync(Page, Output, "h1");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "login-my.png"), FullPage = true });

        await Page.Locator("input[name='Input.Email']").FillAsync(patient.Email);
        await Page.Locator("input[name='Input.Password']").FillAsync(DemoPassword);
        await Page.Locator("input[name='Input.Password']").PressAsync("Enter");
        await Page.WaitForPathAsync("/patient", 30_000);
        await Page.WaitForInteractiveAsync();

        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "my");
        await Expect(Page.GetByTestId("nav-patient")).ToContainTextAsync(MyHealthProfileInBurmese);
        await Expect(Page.GetByTestId("nav-patient-devices")).ToContainTextAsync("ကျွန်ုပ်၏ စက်ပစ္စည်းများ");
        await Expect(Page.GetByTestId("language-menu")).ToContainTextAsync("မြန်မာ");
        await MyanmarFont.ExpectDrawsAsync(Page, Output, "[data-testid='nav-patient'] .mud-nav-link-text");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "patient-my.png"), FullPage = true });
        Assert.Equal("my", await PreferredCultureAsync(patient.Email));

        // Back to English from the app bar's menu.
        await Page.GetByTestId("language-menu").Locator("button").First.ClickAsync();
        // A full page load (a circuit keeps its culture): /culture answers with a redirect back to this page.
        // Expect retries across the navigation (a path check could run while the old page is torn down).
        await Page.GetByTestId("language-en").ClickAsync();
        await Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en", new() { Timeout = 30_000 });
        await Page.WaitForInteractiveAsync();
        Assert.Equal("/patient", new Uri(Page.Url).AbsolutePath);
        await Expect(Page.GetByTestId("nav-patient")).ToContainTextAsync("My health profile");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "patient-en.png"), FullPage = true });
        // An English portal page has no Burmese text (the switch's "မြန်မာ" is inside the closed menu), so the font is
        // not fetched (unicode-range). The Identity pages' header shows "မြန်မာ" as a link, which fetches one weight.
        await Page.EvaluateAsync("() => document.fonts.ready");
        Assert.Equal("unloaded", await MyanmarFont.StatusAsync(Page));
        Assert.Equal("en", await PreferredCultureAsync(patient.Email));
    }

    private async Task<string?> PreferredCultureAsync(string email)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await using (db)
        {
            return await db.Users.Where(u => u.Email == email).Select(u => u.PreferredCulture).SingleAsync();
        }
    }
}
