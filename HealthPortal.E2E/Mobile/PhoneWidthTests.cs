using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.DemoMode;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Mobile;

/// <summary>
/// The patient portal on a 390 × 844 phone (the width of a common phone in portrait): no page scrolls sideways.
/// Each page gets a screenshot under the test's output folder for a human look.
/// </summary>
public sealed class PhoneWidthTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private static readonly string[] PatientPages =
        // Every page of the patient's menu, and the key, recovery and linking pages it leads to.
        ["patient", "patient/records", "patient/summary", "patient/identity", "patient/grants", "patient/share", "patient/access",
         "patient/delegations", "patient/children", "patient/card", "patient/devices", "patient/key", "patient/recovery", "patient/link", "Account/Manage"];

    [Fact]
    public async Task PatientPages_At390Pixels_NeverScrollSideways()
    {
        var demo = DemoData.Patients[0];
        var password = Host.Services.GetRequiredService<IConfiguration>()["HealthPortal:Demo:Password"]!;
        var phone = await LoginAsAsync(new PortalRole("patient " + demo.FullName, demo.Email, password));
        await phone.SetViewportSizeAsync(390, 844);
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "phone-390");
        Directory.CreateDirectory(folder);

        var overflowing = new List<string>();
        foreach (var path in PatientPages)
        {
            await phone.GotoAsync(path);
            // The Identity pages (Account/…) are static server-rendered forms: there is no circuit to wait for.
            if (!path.StartsWith("Account/", StringComparison.Ordinal)) await phone.WaitForInteractiveAsync();
            await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
            // The health summary streams in after every record was fetched and checked: measure the summary, not its spinner.
            if (path == "patient/summary")
                await Expect(phone.GetByTestId("summary-loading")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            await phone.ScreenshotAsync(new() { Path = Path.Combine(folder, path.Replace('/', '_') + ".png"), FullPage = true });
            var widths = await phone.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            if (widths[0] > widths[1])
            {
                // Name the widest elements, so a failure says what to fix.
                var culprits = await phone.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                    .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right))");
                overflowing.Add($"/{path}: scrollWidth {widths[0]} > clientWidth {widths[1]} ({string.Join(", ", culprits)})");
            }
        }

        Assert.True(overflowing.Count == 0, string.Join("\n", overflowing));
    }

    [Fact]
    public async Task AppBarName_At390Pixels_StaysOnOneLine()
    {
        var phone = await PhoneAsync();
        await phone.GotoAsync("patient");
        await phone.WaitForInteractiveAsync();

        var label = phone.Locator(".app-bar-user .mud-button-label");
        await Expect(label).ToBeVisibleAsync();
        // One line: the label is no taller than its own line height (a wrapped name is two or three).
        var measured = await label.EvaluateAsync<double[]>("e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]");
        var (height, lineHeight) = (measured[0], measured[1]);
        Assert.True(height < lineHeight * 1.5, $"the app bar name is {height} px tall for a {lineHeight} px line");
    }

    [Fact]
    public async Task LabResult_At390Pixels_ShowsReferenceRangeAndFlagOnScreen()
    {
        var phone = await PhoneAsync();
        await phone.GotoAsync("patient/records");
        await phone.WaitForInteractiveAsync();
        var lab = phone.Locator("[data-testid='timeline-row'][data-kind='lab-result']").First;
        await Expect(lab).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await lab.GetByTestId("record-open").ClickAsync();
        await phone.WaitForInteractiveAsync();

        var results = phone.GetByTestId("report-result");
        await Expect(results.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var clientWidth = await phone.EvaluateAsync<int>("() => document.documentElement.clientWidth");
        foreach (var cell in new[] { "result-range-cell", "result-flag-cell" })
        {
            var first = results.First.GetByTestId(cell);
            await Expect(first).ToBeVisibleAsync();
            // In view without scrolling sideways, inside the page, and labelled for a reader who sees no header row.
            var right = await first.EvaluateAsync<double>("e => e.getBoundingClientRect().right");
            Assert.True(right <= clientWidth, $"{cell} ends at {right} px on a {clientWidth} px screen");
            Assert.True(await first.IsVisibleAsync());
        }
        await Expect(results.First.GetByTestId("result-range-cell")).Not.ToBeEmptyAsync();
        await Expect(results.First.GetByTestId("result-flag-cell")).Not.ToBeEmptyAsync();
        var overflow = await phone.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(overflow[0] <= overflow[1], $"the record page scrolls sideways: {overflow[0]} > {overflow[1]}");
    }

    [Fact]
    public async Task HealthSummary_At390Pixels_KeepsEveryColumnOnScreen()
    {
        var phone = await PhoneAsync();
        await phone.GotoAsync("patient/summary");
        await phone.WaitForInteractiveAsync();
        var cells = phone.Locator(".summary-table td[data-label]");
        await Expect(cells.First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // The page did not scroll sideways before either: the tables' own containers cut off "Recorded" and "Source".
        // Each row is a card on a phone, so every cell (the date and the record it came from too) is on screen.
        var clientWidth = await phone.EvaluateAsync<int>("() => document.documentElement.clientWidth");
        var offScreen = await cells.EvaluateAllAsync<string[]>(
            "(cells, width) => cells.filter(c => c.innerText.trim() !== '' && (c.getBoundingClientRect().right > width + 1 || c.getBoundingClientRect().width === 0))" +
            ".map(c => c.dataset.label + ': ' + c.innerText.trim().slice(0, 40))", clientWidth);
        Assert.True(offScreen.Length == 0, "cut off on a 390 px screen: " + string.Join("; ", offScreen));
    }

    [Fact]
    public async Task DateFields_At390Pixels_ShowTheWholeDate()
    {
        var phone = await PhoneAsync();
        var cut = new List<string>();
        // Two date fields side by side on a phone cut a day-first date with its picker button to "07/12/202".
        await phone.GotoAsync("patient/records");
        await phone.WaitForInteractiveAsync();
        var from = phone.Locator("input[data-testid='filter-from'], [data-testid='filter-from'] input");
        await from.FillAsync("01/01/2025");
        await from.PressAsync("Tab");
        cut.AddRange(await CutDateInputsAsync(phone, "/patient/records"));
        // The delegation and grant forms start with their period filled in; the grant form's time of day beside its date
        // was cut to "18:1" (checked through the time inputs' test ids).
        foreach (var path in new[] { "patient/delegations", "patient/grants" })
        {
            await phone.GotoAsync(path);
            await phone.WaitForInteractiveAsync();
            cut.AddRange(await CutDateInputsAsync(phone, "/" + path));
        }

        Assert.True(cut.Count == 0, string.Join("\n", cut));
    }

    /// <summary>Date inputs (placeholder dd/mm/yyyy) and time inputs whose value is wider than the box shows.</summary>
    private static async Task<string[]> CutDateInputsAsync(IPage page, string where)
    {
        var inputs = page.Locator("input[placeholder='dd/mm/yyyy'], [data-testid$='-time'] input, input[data-testid$='-time']");
        await Expect(inputs.First).ToBeVisibleAsync();
        return await inputs.EvaluateAllAsync<string[]>(
            "(inputs, where) => inputs.filter(i => i.value && i.scrollWidth > i.clientWidth + 1)" +
            ".map(i => where + ': \"' + i.value + '\" needs ' + i.scrollWidth + ' px in a ' + i.clientWidth + ' px box')", where);
    }

    private async Task<IPage> PhoneAsync()
    {
        var demo = DemoData.Patients[0];
        var password = Host.Services.GetRequiredService<IConfiguration>()["HealthPortal:Demo:Password"]!;
        var phone = await LoginAsAsync(new PortalRole("patient " + demo.FullName, demo.Email, password));
        await phone.SetViewportSizeAsync(390, 844);
        return phone;
    }
}
