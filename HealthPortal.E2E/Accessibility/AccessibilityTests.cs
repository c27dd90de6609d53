using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Accessibility;

/// <summary>
/// WCAG 2.2 AA over every page of each portal (issue 16): axe-core (embedded in Deque.AxeCore.Playwright, nothing
/// fetched) runs on each page reached from a role's navigation menu, signed in as that demo role, and no violation of
/// impact "serious" or "critical" may remain. One browser context per role, reused for all of its pages, so the
/// sign-in and the circuit start are paid once per role.
/// </summary>
public sealed class AccessibilityTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    /// <summary>The WCAG A and AA rule sets up to 2.2; best-practice rules are not part of the bar.</summary>
    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    };

    private PortalRole Demo(string role, string? facility = null)
    {
        var account = DemoData.AccountFor(role, facility);
        return new PortalRole(role, account.Email, DemoPassword);
    }

    [Fact]
    public async Task Anonymous_Pages_HaveNoSeriousViolations() =>
        await AssertAccessibleAsync(Page, ["", "Account/Login", "Account/Register", "Account/ForgotPassword", "join"]);

    [Fact]
    public async Task Patient_Pages_HaveNoSeriousViolations()
    {
        var demo = DemoData.Patients[1];
        var page = await NewPageAsync(new PortalRole("patient", demo.Email, DemoPassword));
        string[] paths =
        [
            "patient", "patient/records", "patient/summary", "patient/grants", "patient/share", "patient/access",
            "patient/card", "patient/devices", "patient/key", "patient/recovery", "patient/link", "patient/children", "Account/Manage",
        ];
        var violations = await ScanAsync(page, paths);

        // A record's own page, reached from the timeline as a patient does.
        await page.GotoAsync("patient/records");
        await page.WaitForInteractiveAsync();
        var open = page.GetByTestId("record-open").First;
        await open.WaitForAsync(new() { Timeout = 30_000 });
        await open.ClickAsync();
        await page.WaitForPathAsync(new System.Text.RegularExpressions.Regex("/patient/records/.+"));
        violations.AddRange(await ScanCurrentAsync(page));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task HospitalStaff_Pages_HaveNoSeriousViolations()
    {
        var page = await NewPageAsync(Demo(Roles.FacilityStaff, "demo-riverside"));
        await AssertAccessibleAsync(page, ["facility", "facility/walk-in", "facility/children", $"facility/patients/{await MpiOfAsync(DemoData.Patients[1])}", "Account/Manage"]);
    }

    [Fact]
    public async Task LaboratoryStaff_Pages_HaveNoSeriousViolations()
    {
        var page = await NewPageAsync(Demo(Roles.FacilityStaff, "demo-northgate"));
        await AssertAccessibleAsync(page, ["facility", $"facility/patients/{await MpiOfAsync(DemoData.Patients[1])}"]);
    }

    [Fact]
    public async Task Manager_Pages_HaveNoSeriousViolations()
    {
        var page = await NewPageAsync(Demo(Roles.FacilityManager, "demo-lakeview"));
        await AssertAccessibleAsync(page,
        [
            "facility", "facility/staff", "facility/recovery", "facility/audit", "facility/systems",
            "facility/mpi-review", "facility/mpi-import", $"facility/patients/{await MpiOfAsync(DemoData.Patients[0])}",
        ]);
    }

    [Fact]
    public async Task Admin_Pages_HaveNoSeriousViolations()
    {
        var page = await NewPageAsync(Demo(Roles.Admin));
        await AssertAccessibleAsync(page,
        [
            "admin", "admin/accounts", "admin/registrations", "admin/ledger", "admin/network", "admin/recoveries",
            "admin/wallet", "admin/identity-checks", "admin/mpi-review", "admin/break-glass", "admin/mail",
        ]);
    }

    private async Task AssertAccessibleAsync(IPage page, IReadOnlyList<string> paths)
    {
        var violations = await ScanAsync(page, paths);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private async Task<List<string>> ScanAsync(IPage page, IReadOnlyList<string> paths)
    {
        var found = new List<string>();
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            // The Identity pages (Account/…) are static server-rendered forms: there is no circuit to wait for.
            if (!path.StartsWith("Account/", StringComparison.Ordinal)) await page.WaitForInteractiveAsync();
            found.AddRange(await ScanCurrentAsync(page));
        }
        return found;
    }

    /// <summary>Runs axe once the page has settled; each serious or critical violation as "path rule: help (targets)".</summary>
    private async Task<List<string>> ScanCurrentAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var result = await page.RunAxe(WcagAa);
        var path = new Uri(page.Url).AbsolutePath;
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Output.WriteLine($"{path}: {result.Violations.Length} violation(s), {serious.Count} serious or critical");
        var lines = serious.Select(v => $"{path} {v.Id} ({v.Impact}): {v.Help} — "
            + string.Join("; ", v.Nodes.Take(4).Select(n => n.Target + " " + Shorten(n.Html)))).ToList();
        // Landmarks (issue 16): axe files a missing main landmark or h1 under best practice, outside the WCAG tags above.
        var landmarks = await page.EvaluateAsync<int[]>("() => [document.querySelectorAll('main, [role=main]').length, document.querySelectorAll('h1').length]");
        if (landmarks[0] != 1) lines.Add($"{path} landmark: {landmarks[0]} main landmarks instead of one");
        if (landmarks[1] < 1) lines.Add($"{path} heading: no h1");
        foreach (var line in lines) Output.WriteLine("  " + line);
        return lines;
    }

    private static string Shorten(string html) => html.Length <= 160 ? html : html[..160] + "…";

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }
}
