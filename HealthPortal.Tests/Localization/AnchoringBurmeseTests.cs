using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Localization;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// Co-signing under Burmese, over the test portal's database and ledger (the status chip renders in
/// <see cref="BurmeseRenderTests"/>): the patient's confirm page with its review, a dispute and the "none of this was
/// me" form, the home page's waiting list, and the staff's panels (the code to scan, what waits for the patient with its
/// withdraw question). The facility's name and the summary it wrote are data; a record's full content is
/// <c>Records/FhirRecordView</c>'s (stubbed: that folder is not in Burmese yet); the canonical text is shown as signed.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AnchoringBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private const string BurmeseSummary = "ပြင်ပလူနာ ဆေးကုသမှု — ဖျားနာခြင်း";

    protected override Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<AnchorEvents>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        Services.AddScoped<AnchorWorkflow>();
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        ComponentFactories.AddStub<FhirRecordView>();
        return Task.CompletedTask;
    }

    private Task<AnchorConfirmationView> VisitAsync(TestPatient patient) => portal.PrepareAsync(Lakeview, patient.Mpi!,
        AnchorKit.Encounter(Lakeview, patient.Mpi!, summary: BurmeseSummary),
        AnchorKit.Encounter(Lakeview, patient.Mpi!, kind: RecordKinds.Diagnosis, summary: BurmeseSummary));

    [Fact]
    public async Task ConfirmPage_UnderBurmese_WithADisputeAndTheRejectForm_ShowsNoEnglish()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = await VisitAsync(patient);
        SignInPatient(patient);
        JSInterop.SetupModule("./js/patient-keys.js").Setup<JsonObject>("publicKey", _ => true).SetResult(patient.Key!.Jwk.ToJson());

        var texts = UnderBurmese(() =>
        {
            var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, visit.Id));
            page.WaitForElement("[data-testid='confirm-sign']");
            var shown = BurmeseText.Of(page).ToList();
            page.FindAll("[data-testid='review-choose-dispute']")[1].Click(); // the dispute reasons and field
            page.Find("[data-testid='confirm-reject-open']").Click();          // "none of this was me"
            shown.AddRange(BurmeseText.Of(page));
            return shown;
        });

        AssertBurmese(texts, await FacilityNamesAsync());
        Assert.Contains(texts, t => t.Contains("ကျွန်ုပ်၏ ဆေးကုသမှုခံယူခြင်းကို အတည်ပြုရန်", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("ဤသူသည် ကျွန်ုပ် မဟုတ်ပါ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfirmPageWithoutAKey_AndTheDecidedReview_UnderBurmese_ShowNoEnglish()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = await VisitAsync(patient);
        SignInPatient(patient);

        var texts = UnderBurmese(() =>
        {
            var page = Render<ConfirmRecords>(p => p.Add(c => c.Id, visit.Id));
            page.WaitForElement("[data-testid='confirm-no-key']");
            var review = Render<AnchorReview>(p => p.Add(c => c.Confirmation, visit)); // decided: no controls
            var waiting = Render<WaitingConfirmations>(p => p.Add(c => c.Mpi, patient.Mpi!));
            waiting.WaitForElement("[data-testid='waiting-item']");
            return BurmeseText.Of(page).Concat(BurmeseText.Of(review)).Concat(BurmeseText.Of(waiting)).ToList();
        });

        AssertBurmese(texts, await FacilityNamesAsync());
    }

    [Fact]
    public async Task StaffPanels_UnderBurmese_ShowNoEnglish()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = await VisitAsync(patient);
        var staff = await portal.StaffOfAsync(Lakeview);
        Auth.SetAuthorized(staff.Identity!.Name ?? "staff");
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims([.. staff.Claims.Where(c => c.Type == ClaimTypes.NameIdentifier)]);

        var texts = UnderBurmese(() =>
        {
            var qr = Render<ConfirmationQr>(p => p.Add(c => c.Confirmation, visit));
            var withdrawn = Render<ConfirmationQr>(p => p.Add(c => c.Confirmation, visit with { Status = AnchorStatus.Withdrawn }));
            var dialogs = Render<MudBlazor.MudDialogProvider>();
            var list = Render<WaitingForPatient>(p => p.Add(c => c.Confirmations, [visit]));
            list.Find("[data-testid='waiting-withdraw']").Click(); // the plain-words question
            dialogs.WaitForElement(".mud-dialog");
            return BurmeseText.Of(qr).Concat(BurmeseText.Of(withdrawn)).Concat(BurmeseText.Of(list)).Concat(BurmeseText.Of(dialogs)).ToList();
        });

        AssertBurmese(texts, await FacilityNamesAsync());
        Assert.Contains(texts, t => t.Contains("ပြန်ရုပ်သိမ်းမလား", StringComparison.Ordinal));
    }

    private void SignInPatient(TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
    }

    /// <summary>Facilities' names as they registered them: data. Longest first, so no name is cut by a shorter one.</summary>
    private async Task<List<string>> FacilityNamesAsync() =>
        [.. (await portal.QueryAsync(db => db.Facilities.Select(f => f.Name).ToListAsync())).OrderByDescending(n => n.Length)];

    private static List<string> UnderBurmese(Func<List<string>> render)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(PortalCultures.Burmese);
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private static void AssertBurmese(List<string> texts, List<string> data)
    {
        Assert.NotEmpty(texts);
        var english = texts.Select(t => data.Aggregate(t, (text, value) => text.Replace(value, " ", StringComparison.Ordinal)))
            .SelectMany(BurmeseText.EnglishWords).Distinct().ToList();
        Assert.True(english.Count == 0, "English under 'my': " + string.Join(", ", english) + "\n" + string.Join("\n", texts));
    }
}
