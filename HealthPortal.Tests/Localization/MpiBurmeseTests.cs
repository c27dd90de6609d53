using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Mpi;
using HealthPortal.Tests.Features.Mpi;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The MPI stewards' pages under Burmese over a test database: the review queue after a scan with a decision refused for
/// want of a reason (<see cref="MpiReview"/>), a patient's "this is not me" refused the same way (<see cref="DisputeQueue"/>)
/// and an import with a new and a refused row (<see cref="MpiImportPage"/>). What the registers hold (names, MRNs, NRC
/// numbers, phones, townships, facility ids) and account names are data, shown as entered.
/// </summary>
public sealed class MpiBurmeseTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    /// <summary>What people entered, as the pages show it: every register row's values and every account's name and e-mail.</summary>
    private async Task<List<string?>> DataAsync()
    {
        await using var db = Database.CreateContext();
        var register = await db.Set<MpiRegisterEntry>().AsNoTracking().ToListAsync();
        var users = await db.Users.AsNoTracking().Select(u => new { u.DisplayName, u.Email }).ToListAsync();
        var disputes = await db.Set<MpiDispute>().AsNoTracking().Select(d => d.Words).ToListAsync();
        var facilities = await db.Facilities.AsNoTracking().Select(f => f.Name).ToListAsync();
        var profiles = await db.PatientProfiles.AsNoTracking().Select(p => p.NationalId).ToListAsync();
        return [.. register.SelectMany(e => new[] { e.FullName, e.BurmeseName, e.Mrn, e.Nrc, e.Phone, e.Township, e.FatherName, e.FacilityId }),
                .. users.SelectMany(u => new[] { u.DisplayName, u.Email }), .. disputes, .. facilities, .. profiles,
                // NRC numbers as the register shows them, in their normal form (12/MAHTANA(N)123456)
                .. register.Select(e => HealthPortal.Features.Patients.Nrc.Parse(e.Nrc) is { IsOk: true } card ? card.Value!.ToString() : null)];
    }

    [Fact]
    public async Task ReviewQueue_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        await SignInAsync(Roles.FacilityManager, "demo-lakeview", PortalPolicies.FacilityPortal);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<MpiReview>();
            page.WaitForElement("[data-testid='mpi-review-empty']");
            var shown = BurmeseText.Of(page).ToList();
            page.Find("[data-testid='mpi-scan']").Click();
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='mpi-review-item']")));
            page.FindAll("[data-testid='mpi-review-link']")[0].Click(); // no reason: refused beside the box
            page.WaitForAssertion(() => Assert.Contains("အကြောင်းရင်းကို စာလုံး ၃ လုံးမှ", page.Markup, StringComparison.Ordinal));
            shown.AddRange(BurmeseText.Of(page));
            return shown;
        });

        BurmeseText.AssertBurmeseBeyond(texts, await DataAsync(), "the Burmese MPI review queue");
        Assert.Contains(texts, t => t.Contains("ရက်နှင့် လ ပြောင်းပြန်", StringComparison.Ordinal)); // a level the matcher names
    }

    [Fact]
    public async Task DisputeQueue_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var (min, _, _, _) = await NumbersAsync();
        await using (var db = Database.CreateContext())
        {
            db.Add(new MpiRegisterEntry { FacilityId = "demo-lakeview", Mrn = "W-MY-1", FullName = "ဦးမောင်မောင်", Mpi = min, Source = RegisterSource.WalkIn, CreatedAt = DateTimeOffset.UtcNow });
            db.Add(new MpiDispute
            {
                Mpi = min, FacilityId = "demo-lakeview", Target = DisputeTarget.Link, Mrn = "W-MY-1", Words = "ထိုနံပါတ်သည် ကျွန်ုပ်၏ အိမ်နီးချင်း၏ နံပါတ် ဖြစ်သည်။",
                CreatedAt = DateTimeOffset.UtcNow, Status = DisputeStatus.Open,
            });
            await db.SaveChangesAsync();
        }
        await SignInAsync(Roles.FacilityManager, "demo-lakeview", PortalPolicies.FacilityPortal);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var queue = Render<DisputeQueue>();
            queue.WaitForAssertion(() => Assert.NotEmpty(queue.FindAll("[data-testid='dispute-unlink']")));
            queue.FindAll("[data-testid='dispute-unlink']")[0].Click(); // no answer: refused beside the box
            queue.WaitForAssertion(() => Assert.Contains("အကြောင်းရင်းကို စာလုံး ၃ လုံးမှ", queue.Markup, StringComparison.Ordinal));
            return BurmeseText.Of(queue).ToList();
        });

        BurmeseText.AssertBurmeseBeyond(texts, [.. await DataAsync(), min], "the Burmese dispute queue");
    }

    [Fact]
    public async Task ImportPage_UnderBurmese_ReportsRowsInBurmese()
    {
        await SignInAsync(Roles.FacilityStaff, "demo-northgate", PortalPolicies.FacilityPortal);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<MpiImportPage>();
            var shown = BurmeseText.Of(page).ToList();
            page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(
                MpiImport.CsvHeader + "\nG-MY-1,Su Myat Noe,,30/6/2004,F,,,,\nG-MY-2,Ko Ko,,31/2/2001,M,,,,\n", "northgate.csv"));
            page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid='mpi-import-status']").Count));
            shown.AddRange(BurmeseText.Of(page));
            page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("hello\n", "notes.csv"));
            page.WaitForElement("[data-testid='mpi-import-error']");
            shown.AddRange(BurmeseText.Of(page));
            return shown;
        });

        BurmeseText.AssertBurmeseBeyond(texts, ["Su Myat Noe", "Ko Ko", "G-MY-1", "G-MY-2", .. await DataAsync()], "the Burmese import page");
        Assert.Contains(texts, t => t.Contains("ငြင်းပယ်ခံရသည်၊ ဤကော်လံများကို ပြင်ပါ", StringComparison.Ordinal));
    }
}
