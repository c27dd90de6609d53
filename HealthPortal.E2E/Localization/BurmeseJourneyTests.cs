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
        await ExpectMyanmarFontDrawsAsync(Page, "h1");
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
        await ExpectMyanmarFontDrawsAsync(Page, "[data-testid='nav-patient'] .mud-nav-link-text");
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
        Assert.Equal("unloaded", await MyanmarFontStatusAsync(Page));
        Assert.Equal("en", await PreferredCultureAsync(patient.Email));
    }

    /// <summary>
    /// The text of <paramref name="selector"/> is drawn with Noto Sans Myanmar: the face is loaded, Chromium reports it
    /// as the font the node's glyphs came from, and it shapes the script. Tofu fails the last check: a font without
    /// Myanmar glyphs draws one box per code point, while a real one stacks the vowel signs of ကို (three code points)
    /// onto the consonant, so the cluster is about as wide as က alone. The fallback font's width differs as well.
    /// </summary>
    private async Task ExpectMyanmarFontDrawsAsync(IPage page, string selector)
    {
        var target = page.Locator(selector).First;
        await target.WaitForAsync();
        await page.EvaluateAsync("() => document.fonts.ready");
        Assert.True(await page.EvaluateAsync<bool>("() => document.fonts.check('16px \"Noto Sans Myanmar\"', 'မြန်မာ')"));
        Assert.Equal("loaded", await MyanmarFontStatusAsync(page));

        var used = await PlatformFontsAsync(page, selector);
        // "Noto Sans Myanmar", "Noto Sans Myanmar Medium", … by weight; never only the last-resort font.
        Assert.Contains(used, font => font.StartsWith("Noto Sans Myanmar", StringComparison.Ordinal));

        var widths = await target.EvaluateAsync<double[]>(@"element => {
            const family = getComputedStyle(element).fontFamily;
            const context = document.createElement('canvas').getContext('2d');
            const width = (text, font) => { context.font = font; return context.measureText(text).width; };
            return [width('ကို', '16px ' + family), width('က', '16px ' + family),
                    width(element.textContent, '16px ' + family), width(element.textContent, '16px monospace')];
        }");
        Output.WriteLine($"{selector}: ကို {widths[0]:0.0}px, က {widths[1]:0.0}px; text {widths[2]:0.0}px in the page's font, {widths[3]:0.0}px in the fallback");
        Assert.InRange(widths[0] / widths[1], 0.8, 1.3);
        Assert.True(Math.Abs(widths[2] - widths[3]) > 0.05 * widths[3], "the text measures the same in the fallback font");
    }

    private static Task<string> MyanmarFontStatusAsync(IPage page) =>
        page.EvaluateAsync<string>(@"() => {
            const faces = [...document.fonts].filter(f => f.family.replaceAll('""', '') === 'Noto Sans Myanmar');
            return faces.some(f => f.status === 'loaded') ? 'loaded' : faces.length ? 'unloaded' : 'missing';
        }");

    /// <summary>The fonts Chromium drew the node's text with (DevTools protocol: CSS.getPlatformFontsForNode).</summary>
    internal static async Task<IReadOnlyList<string>> PlatformFontsAsync(IPage page, string selector)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("DOM.enable");
        await cdp.SendAsync("CSS.enable");
        var document = await cdp.SendAsync("DOM.getDocument");
        var root = document!.Value.GetProperty("root").GetProperty("nodeId").GetInt32();
        var found = await cdp.SendAsync("DOM.querySelector", new Dictionary<string, object> { ["nodeId"] = root, ["selector"] = selector });
        var node = found!.Value.GetProperty("nodeId").GetInt32();
        var fonts = await cdp.SendAsync("CSS.getPlatformFontsForNode", new Dictionary<string, object> { ["nodeId"] = node });
        await cdp.DetachAsync();
        return fonts!.Value.GetProperty("fonts").EnumerateArray().Select(f => f.GetProperty("familyName").GetString() ?? "").ToList();
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
