using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The staff desk under Burmese, over the test portal's database and ledger: the dashboard with its finder and today's
/// board, the patient page, the audit trail, key recovery and the team page, each with the messages it shows. What
/// people entered (names, e-mails, facility names, pseudonyms) is data, shown as entered. Panels of folders not yet in
/// Burmese (the entry forms, the confirmation code, corrections, retractions, shared records, access requests) are
/// stubbed; they are checked when their folders move.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class FacilityPortalBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private IServiceScope? scope;

    protected override Task ConfigureAsync()
    {
        // The pages need most of the portal's services: take what bUnit does not provide from a scope of the test portal.
        scope = portal.Services.CreateScope();
        Services.AddFallbackServiceProvider(scope.ServiceProvider);
        ComponentFactories.AddStub<HealthPortal.Features.Ehr.RecordEntryForm>();
        ComponentFactories.AddStub<HealthPortal.Features.Anchoring.ConfirmationQr>();
        ComponentFactories.AddStub<HealthPortal.Features.Anchoring.WaitingForPatient>();
        ComponentFactories.AddStub<HealthPortal.Features.Anchoring.AnchorStatusChip>();
        ComponentFactories.AddStub<HealthPortal.Features.Corrections.CorrectionRequestsPanel>();
        ComponentFactories.AddStub<HealthPortal.Features.Retractions.RetractionPanel>();
        ComponentFactories.AddStub<HealthPortal.Features.Interop.SharedRecordsPanel>();
        ComponentFactories.AddStub<HealthPortal.Features.Grants.RequestAccessPanel>();
        ComponentFactories.AddStub<HealthPortal.Features.Keys.KeyId>();
        return Task.CompletedTask;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        scope?.Dispose();
    }

    [Fact]
    public async Task FacilityDashboard_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var texts = new List<string>();
        foreach (var role in new[] { Roles.FacilityManager, Roles.FacilityStaff })
        {
            await SignInAsync(role);
            texts.AddRange(BurmeseText.UnderBurmese(() =>
            {
                var page = Render<FacilityDashboard>();
                page.WaitForElement("[data-testid='facility-kind']");
                page.WaitForElement("[data-testid='anchor-board']");
                return OwnWords(page);
            }));
        }

        await AssertBurmeseAsync(texts);
        Assert.Contains(texts, t => t.Contains("ဆေးခန်း", StringComparison.Ordinal)); // Lakeview's kind
        Assert.Contains(texts, t => t.Contains("စီမံခန့်ခွဲသူ 1 ဦး", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FacilityAnchorBoard_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        await SignInAsync(Roles.FacilityStaff);

        var texts = BurmeseText.UnderBurmese(() => OwnWords(Render<FacilityAnchorBoard>(p => p.Add(c => c.FacilityId, Lakeview))));

        await AssertBurmeseAsync(texts);
    }

    [Fact]
    public async Task PatientFinder_UnderBurmese_SaysEveryProblemInBurmese()
    {
        await SignInAsync(Roles.FacilityStaff);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var finder = Render<PatientFinder>();
            var shown = new List<string>();
            finder.Find("input[data-testid='mpi-input']").Input("1234-5678-9013");
            shown.AddRange(BurmeseText.Of(finder));
            finder.Find("input[data-testid='mpi-input']").Input("12a");
            shown.AddRange(BurmeseText.Of(finder));
            finder.Find("input[data-testid='search-input']").Input("zq");
            finder.Find("[data-testid='search-patients']").Click();
            shown.AddRange(BurmeseText.Of(finder));
            finder.Find("input[data-testid='search-input']").Input("Zzyzx Qwv");
            finder.Find("[data-testid='search-patients']").Click();
            finder.WaitForElement("[data-testid='search-empty']");
            shown.AddRange(BurmeseText.Of(finder));
            return shown;
        });

        await AssertBurmeseAsync(texts);
        Assert.Contains(texts, t => t.Contains("စစ်ဆေးဂဏန်း မကိုက်ညီပါ", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("ဂဏန်းများသာ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FacilityPatient_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var patient = await portal.RegisteredPatientAsync();
        await SignInAsync(Roles.FacilityStaff);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<FacilityPatient>(p => p.Add(c => c.Mpi, patient.Mpi!));
            page.WaitForElement("[data-testid='no-records']");
            var shown = BurmeseText.Of(page).ToList();
            var missing = Render<FacilityPatient>(p => p.Add(c => c.Mpi, "1234-5678-9013"));
            missing.WaitForElement("[data-testid='patient-not-found']");
            shown.AddRange(BurmeseText.Of(missing));
            return shown;
        });

        await AssertBurmeseAsync(texts);
        Assert.Contains(texts, t => t.Contains("ဤလူနာ၏ မှတ်တမ်း မရှိသေးပါ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FacilityAudit_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var patient = await portal.RegisteredPatientAsync();
        await SignInAsync(Roles.FacilityStaff);
        await portal.WithScopeAsync(async s => await s.GetRequiredService<FacilityPatients>().FindAsync(await portal.StaffOfAsync(Lakeview), patient.Mpi));
        await SignInAsync(Roles.FacilityManager);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<FacilityAudit>();
            page.WaitForElement("[data-testid='audit-kind']");
            // The pseudonyms are ids (st-…) and the targets what was looked up, stored as written then: data, like the accounts' e-mails.
            var shown = Without(page, "[data-testid='audit-staff-pseudonym'], [data-testid='audit-target']");
            page.Find("input[data-testid='audit-pseudonym']").Change("st-nobody");
            page.WaitForElement("[data-testid='audit-none']");
            shown.AddRange(BurmeseText.Of(page).Where(t => t.Trim() != "st-nobody"));
            return shown;
        });

        await AssertBurmeseAsync(texts);
        Assert.Contains(texts, t => t.Contains("ကောင်တာတွင် ရှာဖွေမှု", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FacilityRecovery_UnderBurmese_SaysWhyNothingWasFoundInBurmese()
    {
        var patient = await portal.RegisteredPatientAsync();
        await SignInAsync(Roles.FacilityManager);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<FacilityRecovery>();
            page.Find("input[data-testid='recovery-mpi-input']").Input("1234-5678-9013");
            var shown = BurmeseText.Of(page).ToList();
            page.Find("input[data-testid='recovery-mpi-input']").Input(patient.Mpi!);
            page.Find("[data-testid='recovery-find']").Click();
            page.WaitForElement("[data-testid='recovery-find-error']");
            shown.AddRange(BurmeseText.Of(page));
            return shown;
        });

        await AssertBurmeseAsync(texts);
        Assert.Contains(texts, t => t.Contains("ပြန်လည်ရယူရေး တောင်းဆိုချက် မရှိပါ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FacilityStaff_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        await SignInAsync(Roles.FacilityManager);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var popovers = Render<MudBlazor.MudPopoverProvider>();
            var page = Render<FacilityStaff>();
            page.WaitForElement("[data-testid='staff-table']");
            page.Find("[data-testid='invite-staff']").Click();
            page.WaitForElement("[data-testid='invitation-link']");
            return BurmeseText.Of(page).ToList();
        });

        await AssertBurmeseAsync(texts);
        Assert.Contains(texts, t => t.Contains("တစ်ကြိမ်သုံး လင့်ခ်", StringComparison.Ordinal));
    }

    /// <summary>
    /// The board's words without the other folders' ones it shows: the kinds of records (Features/Records) and the
    /// patients' reasons for a rejection (Features/Anchoring's labels with the words the patient typed), checked when
    /// those folders move.
    /// </summary>
    private static List<string> OwnWords<T>(IRenderedComponent<T> rendered) where T : Microsoft.AspNetCore.Components.IComponent
    {
        var kinds = HealthPortal.Features.Records.RecordKinds.All.Select(HealthPortal.Features.Records.RecordKinds.SingularLabel).OrderByDescending(k => k.Length).ToList();
        return [.. Without(rendered, "[data-testid='rejected-reason']")
            .Select(t => kinds.Aggregate(t, (text, kind) => text.Replace(kind, " ", StringComparison.Ordinal)))];
    }

    /// <summary>What <paramref name="rendered"/> says, less the text inside the elements <paramref name="selector"/> finds.</summary>
    private static List<string> Without<T>(IRenderedComponent<T> rendered, string selector) where T : Microsoft.AspNetCore.Components.IComponent
    {
        var excluded = rendered.FindAll(selector).SelectMany(e => BurmeseText.Of(e)).ToHashSet();
        return [.. BurmeseText.Of(rendered).Where(t => !excluded.Contains(t))];
    }

    private async Task SignInAsync(string role)
    {
        var principal = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(role, Lakeview));
        Auth.SetAuthorized(principal.Identity!.Name!);
        Auth.SetRoles(role);
        Auth.SetPolicies(role == Roles.FacilityManager
            ? [PortalPolicies.FacilityPortal, PortalPolicies.FacilityManagement]
            : [PortalPolicies.FacilityPortal]);
        Auth.SetClaims([.. principal.Claims]);
    }

    /// <summary>
    /// No English word beyond data: facility names, the people's names (the demo's and those other tests made) and
    /// the invitation link, each as entered. Longest first, so no value is cut by a shorter one.
    /// </summary>
    private async Task AssertBurmeseAsync(IReadOnlyList<string> texts)
    {
        var data = await portal.QueryAsync(async db => (await db.Facilities.Select(f => f.Name).ToListAsync())
            .Concat(await db.Users.Select(u => u.DisplayName).ToListAsync())
            .Concat(await db.PatientProfiles.Select(p => p.FullName).ToListAsync()).ToList());
        BurmeseText.AssertBurmeseBeyond(texts, data, "a Burmese staff page");
    }
}
