using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Localization;

/// <summary>Whether Chromium draws a page's Burmese text with the portal's Noto Sans Myanmar (the Burmese journeys share it).</summary>
internal static class MyanmarFont
{
    /// <summary>
    /// The text of <paramref name="selector"/> is drawn with Noto Sans Myanmar: the face is loaded, Chromium reports it
    /// as the font the node's glyphs came from, and it shapes the script. Tofu fails the last check: a font without
    /// Myanmar glyphs draws one box per code point, while a real one stacks the vowel signs of ကို (three code points)
    /// onto the consonant, so the cluster is about as wide as က alone. The fallback font's width differs as well.
    /// </summary>
    public static async Task ExpectDrawsAsync(IPage page, ITestOutputHelper output, string selector)
    {
        var target = page.Locator(selector).First;
        await target.WaitForAsync();
        await page.EvaluateAsync("() => document.fonts.ready");
        Assert.True(await page.EvaluateAsync<bool>("() => document.fonts.check('16px \"Noto Sans Myanmar\"', 'မြန်မာ')"));
        Assert.Equal("loaded", await StatusAsync(page));

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
        output.WriteLine($"{selector}: ကို {widths[0]:0.0}px, က {widths[1]:0.0}px; text {widths[2]:0.0}px in the page's font, {widths[3]:0.0}px in the fallback");
        Assert.InRange(widths[0] / widths[1], 0.8, 1.3);
        Assert.True(Math.Abs(widths[2] - widths[3]) > 0.05 * widths[3], "the text measures the same in the fallback font");
    }

    /// <summary>"loaded", "unloaded" (declared, not fetched) or "missing".</summary>
    public static Task<string> StatusAsync(IPage page) =>
        page.EvaluateAsync<string>(@"() => {
            const faces = [...document.fonts].filter(f => f.family.replaceAll('""', '') === 'Noto Sans Myanmar');
            return faces.some(f => f.status === 'loaded') ? 'loaded' : faces.length ? 'unloaded' : 'missing';
        }");

    /// <summary>The fonts Chromium drew the node's text with (DevTools protocol: CSS.getPlatformFontsForNode).</summary>
    private static async Task<IReadOnlyList<string>> PlatformFontsAsync(IPage page, string selector)
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
}
