using System.Globalization;
using System.Text;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Records;

/// <summary>
/// Long clinical text through the real circuit: a note far over SignalR's default 32 KB message is saved byte for
/// byte (it used to end the circuit silently and lose the work), the form states its maximum, and what was typed
/// survives a reload of the page (the draft kept in the tab) until it is saved.
/// </summary>
public sealed class LongTextTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Riverside = "demo-riverside";

    [Fact]
    public async Task Hospital_35KilobyteNote_IsSavedIntact()
    {
        var ward = "Ward L-" + Guid.NewGuid().ToString("N")[..6];
        var note = LongNote(35 * 1024);
        Assert.True(Encoding.UTF8.GetByteCount(note) >= 35 * 1024);
        var desk = await StaffPatientPageAsync(DemoData.Patients[0]);
        var form = desk.Admission;

        await Expect(form.Form).ToContainTextAsync($"Up to {TextLimits.ClinicalNote.ToString("N0", CultureInfo.InvariantCulture)} characters");
        await form.Ward.FillAsync(ward);
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.TypeStartDateAsync(DateTime.UtcNow.Date);
        await form.Icd10(0).FillAsync("J18.9");
        await form.Description(0).FillAsync("Community-acquired pneumonia");
        await form.Note.FillAsync(note);
        await form.Save.ClickAsync();

        await Expect(form.Saved).ToHaveTextAsync("Admission saved: 3 records written.");
        await using var db = ((HospitalStore)Host.Services.GetRequiredService<EhrStores>().Find(Riverside)!).Open();
        var saved = await db.Notes.Where(n => n.Admission.Ward == ward).Select(n => n.Text).SingleAsync();
        Assert.Equal(note, saved);
    }

    [Fact]
    public async Task Hospital_WhatWasTyped_SurvivesAReload_UntilSaved()
    {
        var ward = "Ward D-" + Guid.NewGuid().ToString("N")[..6];
        var desk = await StaffPatientPageAsync(DemoData.Patients[1]);
        var form = desk.Admission;
        // The draft module loads after the circuit's first render; on a loaded machine that can trail the page.
        var tracked = desk.Page.Locator("[data-draft][data-draft-tracked]").First;
        await tracked.WaitForAsync(new() { Timeout = 30_000 });
        await form.Ward.FillAsync(ward);
        await form.Note.FillAsync("Febrile on arrival.\nStarted on IV fluids.");
        await form.Note.PressAsync("Tab");

        // A lost circuit ends in a reload; the tab's draft puts the text back and says so.
        await desk.GotoAsync();
        await tracked.WaitForAsync(new() { Timeout = 30_000 });
        await Expect(desk.Page.GetByTestId("ehr-form-draft-restored")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(form.Ward).ToHaveValueAsync(ward);
        await Expect(form.Note).ToHaveValueAsync("Febrile on arrival.\nStarted on IV fluids.");

        // The restored text reached the circuit, not only the page: it is what gets saved, and then the draft is gone.
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.TypeStartDateAsync(DateTime.UtcNow.Date);
        await form.Icd10(0).FillAsync("J18.9");
        await form.Description(0).FillAsync("Community-acquired pneumonia");
        await form.Save.ClickAsync();
        await Expect(form.Saved).ToHaveTextAsync("Admission saved: 3 records written.");
        await desk.GotoAsync();
        await Expect(form.Ward).ToHaveValueAsync("");
        await Expect(desk.Page.GetByTestId("ehr-form-draft-restored")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Hospital_DatesAreTypedDayFirst_AnImpossibleOneIsRefusedWithItsReason_AndTheTextStays()
    {
        var ward = "Ward T-" + Guid.NewGuid().ToString("N")[..6];
        var desk = await StaffPatientPageAsync(DemoData.Patients[0]);
        var form = desk.Admission;
        await form.Ward.FillAsync(ward);
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.Icd10(0).FillAsync("J18.9");
        await form.Description(0).FillAsync("Community-acquired pneumonia");

        // An impossible date: the reason under the field, the text kept, and nothing saved.
        await form.StartDate.FillAsync("31/02/2026");
        await form.StartDate.PressAsync("Tab");
        await Expect(form.Form).ToContainTextAsync("\"31/02/2026\" is not a date: February 2026 has 28 days.");
        await Expect(form.StartDate).ToHaveValueAsync("31/02/2026");
        await form.Save.ClickAsync();
        await Expect(form.Problem).ToContainTextAsync("A date could not be read.");

        // A month-first date is refused, never read the other way round.
        await form.StartDate.FillAsync("02/31/2026");
        await form.StartDate.PressAsync("Tab");
        await Expect(form.Form).ToContainTextAsync("there is no month 31");

        // 03/02/2026 is the 3rd of February: saved so, on the facility's clock.
        await form.StartDate.FillAsync("03/02/2026");
        await form.StartDate.PressAsync("Tab");
        // The month-first refusal under the field is gone (the message above the button stays until the next save).
        await Expect(form.Form).Not.ToContainTextAsync("there is no month 31");
        await form.Save.ClickAsync();
        await Expect(form.Saved).ToHaveTextAsync("Admission saved: 2 records written.");
        await using var db = ((HospitalStore)Host.Services.GetRequiredService<EhrStores>().Find(Riverside)!).Open();
        var started = await db.Admissions.Where(a => a.Ward == ward).Select(a => a.StartedAt).SingleAsync();
        Assert.Equal(new DateTime(2026, 2, 3), HealthPortal.Features.Times.UserTime.Default.Local(started).Date);
    }

    /// <summary>Paragraphs of a discharge summary, with Burmese and accented words, up to at least <paramref name="bytes"/> UTF-8 bytes.</summary>
    private static string LongNote(int bytes)
    {
        var text = new StringBuilder();
        for (var day = 1; Encoding.UTF8.GetByteCount(text.ToString()) < bytes; day++)
            text.Append(CultureInfo.InvariantCulture, $"Day {day}: afebrile, SpO₂ 97 % on room air; crackles right base reducing. ")
                .Append("ဆေးရုံတက်ရောက်ခြင်း — café-au-lait macules noted. Amoxicillin 500 mg three times daily continued.\n");
        return text.ToString().TrimEnd();
    }

    private async Task<FacilityPatientPage> StaffPatientPageAsync(DemoData.Patient demo)
    {
        var staff = new PortalRole(Riverside + " staff", DemoData.AccountFor(Roles.FacilityStaff, Riverside).Email, DemoPassword);
        var desk = new FacilityPatientPage(await NewPageAsync(staff), await MpiOfAsync(demo));
        await desk.GotoAsync();
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        return desk;
    }

    private async Task<string> MpiOfAsync(DemoData.Patient demo)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).SingleAsync();
    }
}
