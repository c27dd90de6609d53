using System.Security.Claims;
using System.Text.RegularExpressions;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Records;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.E2E.Localization;

/// <summary>
/// Issue 15, the patient's co-signing in Burmese: a patient who reads Burmese links this browser (demo enrolment
/// device), opens the visit a facility saved for them from the home page, reads it and co-signs. The words of the key
/// and confirmation pages on the way are Burmese, drawn with Noto Sans Myanmar; what the facility wrote (its name, the
/// summary) is data, the record's full content is <c>Records/FhirRecordView</c>'s (not in Burmese yet) and the
/// canonical text is shown as signed. Screenshots are left in bin/…/artifacts/localization.
/// </summary>
public sealed partial class BurmeseCosignJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Lakeview = "demo-lakeview";
    private const string BurmeseSummary = "ပြင်ပလူနာ ဆေးကုသမှု — ချောင်းဆိုးခြင်း";

    /// <summary>Latin words a Burmese page may show: the product, the terms kept in Latin letters and standards' names (as BurmeseText in the unit tests).</summary>
    private static readonly HashSet<string> AllowedLatinWords = new(StringComparer.Ordinal)
    {
        "HealthPortal", "MPI", "FHIR", "UTC", "Ethereum", "MetaMask", "Rabby", "EIP", "QR", "ECDSA", "WebCrypto", "IndexedDB", "ES", "JSON", "SHA",
    };

    [Fact]
    public async Task Patient_InBurmese_LinksThisBrowserAndCosignsAVisit_EveryPageOnTheWayInBurmese()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "localization");
        Directory.CreateDirectory(folder);
        var demo = DemoData.Patients[1];
        var mpi = await MpiOfAsync(demo);
        var phone = await NewPageAsync(new PortalRole("patient " + demo.FullName, demo.Email, DemoPassword));
        try
        {
            // Burmese from here on (a full page load: /culture sets the cookie and the profile, then comes back).
            await phone.GotoAsync("culture?c=my&back=/patient/devices");
            await Expect(phone.Locator("html")).ToHaveAttributeAsync("lang", "my", new() { Timeout = 30_000 });
            await phone.WaitForInteractiveAsync();

            var devices = new DevicesPage(phone);
            await phone.GetByTestId("demo-link").ClickAsync();
            await Expect(devices.ThisDeviceRow).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(devices.ThisDeviceStatus).ToContainTextAsync("ဤဘရောက်ဇာတွင် အသုံးပြုနေသောသော့ ရှိပြီး");
            await ExpectNoEnglishAsync(phone, "main");
            await MyanmarFont.ExpectDrawsAsync(phone, Output, "h1");
            await phone.ScreenshotAsync(new() { Path = Path.Combine(folder, "devices-my.png"), FullPage = true });

            var saved = await SaveVisitAsync(mpi);
            var home = new PatientDashboardPage(phone);
            await home.GotoAsync();
            await phone.WaitForInteractiveAsync();
            var item = phone.Locator($"[data-testid='waiting-item'][data-confirmation-id='{saved.Id}']");
            await Expect(item).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await ExpectNoEnglishAsync(phone, "[data-testid='waiting-confirmations']", "Lakeview Family Clinic");
            await item.ClickAsync();
            await phone.WaitForPathAsync("/patient/confirm/" + saved.Id);

            var confirm = new ConfirmRecordsPage(phone, saved.Id);
            await phone.WaitForInteractiveAsync();
            await Expect(confirm.Title).ToHaveTextAsync("ကျွန်ုပ်၏ ဆေးကုသမှုခံယူခြင်းကို အတည်ပြုရန်");
            await Expect(confirm.Summaries).ToHaveTextAsync(BurmeseSummary);
            await confirm.CanonicalPanel.ClickAsync();
            await Expect(confirm.Canonical).ToContainTextAsync($"\"mpi\":\"{mpi}\""); // the signed bytes are not translated
            await confirm.ReadEverythingAsync();
            await Expect(confirm.ConfirmAndSign).ToBeEnabledAsync();
            await ExpectNoEnglishAsync(phone, "main", "Lakeview Family Clinic");
            await MyanmarFont.ExpectDrawsAsync(phone, Output, "[data-testid='confirm-title']");
            await phone.ScreenshotAsync(new() { Path = Path.Combine(folder, "confirm-my.png"), FullPage = true });

            await confirm.ConfirmAndSign.ClickAsync();
            await Expect(confirm.Anchored).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(confirm.Anchored).ToContainTextAsync("လယ်ဂျာ၏ ဘလောက်");
            await ExpectNoEnglishAsync(phone, "[data-testid='confirm-anchored']");
            await phone.ScreenshotAsync(new() { Path = Path.Combine(folder, "confirmed-my.png"), FullPage = true });
        }
        finally
        {
            // The choice is saved in the profile and followed at every sign-in: give the shared demo patient English back.
            await phone.GotoAsync("culture?c=en&back=/patient");
            await Expect(phone.Locator("html")).ToHaveAttributeAsync("lang", "en", new() { Timeout = 30_000 });
        }
    }

    /// <summary>
    /// The words shown in <paramref name="selector"/> (text, and the names screen readers announce) contain no English
    /// word: ids and hashes (code), the signed text (pre), a record's full content (Records, not in Burmese yet) and
    /// text marked as another language are left out, as is <paramref name="data"/> (what a facility wrote).
    /// </summary>
    private async Task ExpectNoEnglishAsync(IPage page, string selector, params string[] data)
    {
        var texts = await page.Locator(selector).First.EvaluateAsync<string[]>(@"root => {
            const texts = [];
            const walk = node => {
                if (node.nodeType === Node.TEXT_NODE) { if (node.textContent.trim()) texts.push(node.textContent.trim()); return; }
                if (node.nodeType !== Node.ELEMENT_NODE) return;
                if (['CODE', 'PRE', 'SCRIPT', 'STYLE', 'SVG'].includes(node.tagName.toUpperCase())) return;
                if (node.getAttribute('lang') && node.getAttribute('lang') !== 'my') return;
                if (node.getAttribute('data-testid') === 'review-content') return;
                for (const name of ['aria-label', 'title', 'placeholder', 'alt']) { const v = node.getAttribute(name); if (v) texts.push(v); }
                node.childNodes.forEach(walk);
            };
            walk(root);
            return texts;
        }");
        var english = texts.Select(t => data.Aggregate(t, (text, value) => text.Replace(value, " ", StringComparison.Ordinal)))
            .SelectMany(t => LatinWord().Matches(t).Select(m => m.Value)).Where(w => !AllowedLatinWords.Contains(w)).Distinct().ToList();
        Output.WriteLine($"{selector}: {texts.Length} texts, English: {string.Join(", ", english)}");
        Assert.True(english.Count == 0, $"English in {selector} under Burmese: {string.Join(", ", english)}\n{string.Join("\n", texts)}");
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }

    /// <summary>What saving the clinic's entry form does: the visit goes to the workflow as Lakeview's staff member.</summary>
    private async Task<AnchorConfirmationView> SaveVisitAsync(string mpi)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(DemoData.AccountFor(Roles.FacilityStaff, Lakeview).Email);
        var staff = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user!);
        ((ClaimsIdentity)staff.Identity!).AddClaim(new System.Security.Claims.Claim(SecondFactor.AmrClaim, SecondFactor.Mfa)); // a staff session is a two-factor one
        var recordId = "e2e-my-" + Guid.NewGuid().ToString("N")[..12];
        var fhir = new Encounter
        {
            Id = recordId,
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"),
            Subject = new ResourceReference("Patient/" + mpi),
        };
        var record = new EhrRecord(Lakeview, recordId, mpi, RecordKinds.Encounter, DateOnly.FromDateTime(DateTime.UtcNow), BurmeseSummary, fhir);
        var prepared = await services.GetRequiredService<AnchorWorkflow>().PrepareAsync(staff, Lakeview, mpi, [record]);
        Assert.True(prepared.Succeeded, prepared.Error);
        return prepared.Confirmation!;
    }

    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex LatinWord();
}
