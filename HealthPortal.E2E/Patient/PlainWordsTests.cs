using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Patient;

/// <summary>
/// Issue 16, words: what a patient or a clinician reads on the screen is plain. Cryptographic terms and how the ledger
/// works stay behind the closed "How this works" expanders (their text is not on screen until opened), and a facility
/// is named, never shown by its portal id ("demo-northgate"). Read from the rendered text of every page of the
/// patient's menu, a record's page and the staff patient page, with the demo data.
/// </summary>
public sealed class PlainWordsTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    /// <summary>Words a patient should not meet unless they open "How this works".</summary>
    private static readonly string[] Jargon =
        ["ECDSA", "P-256", "non-extractable", "IndexedDB", "JWK", "thumbprint", "the block the revocation lands in"];

    private static readonly string[] FacilityIds = ["demo-riverside", "demo-lakeview", "demo-northgate"];

    [Fact]
    public async Task PatientPages_SayNoCryptoJargonOrFacilityId_OutsideHowThisWorks()
    {
        var demo = DemoData.Patients[0];
        var page = await NewPageAsync(new PortalRole("patient", demo.Email, DemoPassword));
        var problems = new List<string>();
        string[] paths =
        [
            "patient", "patient/records", "patient/summary", "patient/identity", "patient/grants", "patient/share", "patient/access",
            "patient/delegations", "patient/children", "patient/card", "patient/devices", "patient/key", "patient/recovery", "patient/link",
        ];
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            await page.WaitForInteractiveAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (path == "patient/summary")
                await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("summary-loading")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            problems.AddRange(await ProblemsAsync(page, path, FacilityIds.Concat(Jargon)));
            // Dates read day first on every page ("10 Feb 2026"), never as the ledger stores them (2026-02-10).
            var iso = System.Text.RegularExpressions.Regex.Match(await page.Locator("main").First.InnerTextAsync(), @"\b\d{4}-\d{2}-\d{2}\b");
            if (iso.Success) problems.Add($"/{path} shows the date {iso.Value} year first");
        }

        // A record's page, reached from the timeline.
        await page.GotoAsync("patient/records");
        await page.WaitForInteractiveAsync();
        var open = page.GetByTestId("record-open").First;
        await open.WaitForAsync(new() { Timeout = 30_000 });
        await open.ClickAsync();
        await page.WaitForPathAsync(new System.Text.RegularExpressions.Regex("/patient/records/.+"));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // A lab report's content names its performer by facility id ("demo-northgate", hashed as it is): the view shows
        // the facility's name.
        problems.AddRange(await ProblemsAsync(page, "a record's page", FacilityIds.Concat(Jargon)));

        // The detail is kept, behind an expander that opens: sharing and share links each have one (key setup and a
        // device's revocation too, on the steps that do those).
        foreach (var path in new[] { "patient/grants", "patient/share" })
        {
            await page.GotoAsync(path);
            await page.WaitForInteractiveAsync();
            var expander = page.GetByText("How this works", new() { Exact = true }).First;
            await Microsoft.Playwright.Assertions.Expect(expander).ToBeVisibleAsync();
            var closed = await page.Locator("main").First.InnerTextAsync();
            await expander.ClickAsync();
            await Microsoft.Playwright.Assertions.Expect(page.Locator("main").First).Not.ToHaveTextAsync(closed);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task StaffPages_NameFacilities_NeverShowTheirPortalIds()
    {
        var account = DemoData.AccountFor(Roles.FacilityStaff, "demo-northgate");
        var page = await NewPageAsync(new PortalRole("lab staff", account.Email, DemoPassword));
        var problems = new List<string>();
        foreach (var path in new[] { "facility", $"facility/patients/{await MpiOfAsync(DemoData.Patients[0])}" })
        {
            await page.GotoAsync(path);
            await page.WaitForInteractiveAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            problems.AddRange(await ProblemsAsync(page, path, FacilityIds));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The words of <paramref name="unwanted"/> in the page's rendered text (innerText: closed expanders are not in it).</summary>
    private static async Task<IEnumerable<string>> ProblemsAsync(IPage page, string where, IEnumerable<string> unwanted)
    {
        var text = await page.Locator("main").First.InnerTextAsync();
        return unwanted.Where(word => text.Contains(word, StringComparison.OrdinalIgnoreCase))
            .Select(word => $"/{where} shows \"{word}\": …{Around(text, word)}…");
    }

    private static string Around(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase);
        var start = Math.Max(0, at - 60);
        return text[start..Math.Min(text.Length, at + word.Length + 60)].ReplaceLineEndings(" ");
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }
}
