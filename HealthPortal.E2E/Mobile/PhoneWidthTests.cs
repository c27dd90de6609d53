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
        ["patient", "patient/records", "patient/access", "patient/grants", "patient/devices", "patient/card", "patient/key", "patient/recovery"];

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
            await phone.WaitForInteractiveAsync();
            await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
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

    private async Task<IPage> PhoneAsync()
    {
        var demo = DemoData.Patients[0];
        var password = Host.Services.GetRequiredService<IConfiguration>()["HealthPortal:Demo:Password"]!;
        var phone = await LoginAsAsync(new PortalRole("patient " + demo.FullName, demo.Email, password));
        await phone.SetViewportSizeAsync(390, 844);
        return phone;
    }
}
