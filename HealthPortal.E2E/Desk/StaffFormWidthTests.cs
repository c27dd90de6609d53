using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Desk;

/// <summary>
/// The staff patient page and its entry form on a 1366 × 768 screen (the commonest desktop width at clinics; issue 16):
/// no label, input, error text or ledger hash is cut off (each one's scrollWidth fits its clientWidth) and the page does
/// not scroll sideways, for the hospital, clinic and laboratory forms, before and after a save refused for empty fields.
/// </summary>
public sealed class StaffFormWidthTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    // Elements whose text must be readable whole: field labels, inputs, helper and error texts, ledger ids.
    private const string Measured = "label, .mud-input-label, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), textarea, .mud-input-helper-text, .ledger-id";

    [Theory]
    [InlineData("demo-riverside", "save-admission")]
    [InlineData("demo-lakeview", "save-visit")]
    [InlineData("demo-northgate", "save-order")]
    public async Task StaffPatientPage_At1366_CutsNothingOff(string facility, string saveTestId)
    {
        var staff = await NewPageAsync(new PortalRole("staff " + facility, DemoData.AccountFor(Roles.FacilityStaff, facility).Email, DemoPassword));
        await staff.SetViewportSizeAsync(1366, 768);
        var desk = new FacilityPatientPage(staff, await MpiOfAsync(DemoData.Patients[0]));
        await desk.GotoAsync();
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        await staff.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var problems = await CutOffAsync(staff, "as opened");
        // A refused save shows the error texts under the fields: they must fit too.
        var save = staff.GetByTestId(saveTestId);
        if (await save.CountAsync() > 0)
        {
            await save.First.ClickAsync();
            await staff.WaitForTimeoutAsync(500);
            problems.AddRange(await CutOffAsync(staff, "after a refused save"));
        }

        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "staff-1366");
        Directory.CreateDirectory(folder);
        await staff.ScreenshotAsync(new() { Path = Path.Combine(folder, facility + ".png"), FullPage = true });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task<List<string>> CutOffAsync(IPage page, string when)
    {
        var found = new List<string>();
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        if (widths[0] > widths[1]) found.Add($"{when}: the page scrolls sideways ({widths[0]} > {widths[1]})");
        var cut = await page.EvaluateAsync<string[]>(@"selector => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
            .map(e => `${e.tagName.toLowerCase()}${e.dataset.testid ? '[' + e.dataset.testid + ']' : ''}.${[...e.classList].join('.')} '${(e.value || e.textContent || '').trim().slice(0, 60)}' ${e.scrollWidth} > ${e.clientWidth}`)", Measured);
        found.AddRange(cut.Select(c => $"{when}: cut off: {c}"));
        return found;
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }
}
