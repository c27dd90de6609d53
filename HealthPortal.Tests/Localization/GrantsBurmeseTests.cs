using System.Security.Claims;
using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Features.Grants;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The grant pages that read the portal's database and ledger, under Burmese (the rest of <c>Features/Grants</c> renders
/// in <see cref="BurmeseRenderTests"/>): the patient's Sharing page with grants and a facility's request, the staff's
/// request panel with requests in every state, and the dashboard's badge. Facility names and the words people typed
/// are data, shown as entered. Panels of folders not yet in Burmese (the signer choice, the acting-for line, the date
/// field) are stubbed; they are checked when their folders move.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class GrantsBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";
    private const string BurmeseMessage = "နှလုံးရောဂါ ဆေးစစ်ချက်အတွက် ဖြစ်ပါသည်။";

    protected override Task ConfigureAsync()
    {
        GrantPagesTests.AddPageServices(Services, portal);
        // The app's own acting-for services, so the Sharing page follows a choice made through them (issue 14).
        Services.AddSingleton(portal.Services.GetRequiredService<HealthPortal.Features.ActingFor.DelegateAccess>());
        Services.AddSingleton(portal.Services.GetRequiredService<HealthPortal.Features.ActingFor.ActingForChoices>());
        ComponentFactories.AddStub<SignerChoice>();
        ComponentFactories.AddStub<HealthPortal.Features.ActingFor.OwnDataNotice>();
        ComponentFactories.AddStub<HealthPortal.Features.Times.DateField>();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every facility's name in the shared test portal (the demo's and those other tests registered): data, as each
    /// facility registered itself, and listed on the grant form. Longest first, so no name is cut by a shorter one.
    /// </summary>
    private async Task<List<string>> FacilityNamesAsync() =>
        [.. (await portal.QueryAsync(db => db.Facilities.Select(f => f.Name).ToListAsync())).OrderByDescending(n => n.Length)];

    [Fact]
    public async Task Sharing_UnderBurmese_ShowsNoEnglishBeyondFacilityNames()
    {
        var patient = await portal.RegisteredPatientAsync();
        await IssueAsync(patient, Lakeview, DateTime.UtcNow, DateTime.UtcNow.AddDays(3));
        await IssueAsync(patient, Northgate, DateTime.UtcNow.AddDays(1), DateTime.UtcNow.AddDays(3));
        await AskAsync(patient, Lakeview, BurmeseMessage);
        SignInPatient(patient);
        GrantPagesTests.BrowserHolds(JSInterop, patient);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<Sharing>();
            page.WaitForElement("[data-testid='pending-request']");
            page.WaitForElement("[data-testid='grants-scheduled']");
            var shown = BurmeseText.Of(page).ToList();
            page.Find("[data-testid='request-decline']").Click(); // the reason field
            page.Find("[data-testid='grant-review']").Click();    // the form's own messages (no facility chosen)
            shown.AddRange(BurmeseText.Of(page));
            return shown;
        });

        AssertBurmese(texts, await FacilityNamesAsync());
        Assert.Contains(texts, t => t.Contains("ငြင်းပယ်ရန်", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("မျှဝေမည့် ကျန်းမာရေးဌာနကို ရွေးပါ။", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sharing_NotRegistered_UnderBurmese_SaysSoInBurmese()
    {
        var patient = await portal.NewPatientAsync();
        SignInPatient(patient);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<Sharing>();
            page.WaitForElement("[data-testid='grants-not-registered']");
            return BurmeseText.Of(page).ToList();
        });

        AssertBurmese(texts, await FacilityNamesAsync());
    }

    [Fact]
    public async Task Sharing_ActingForSomeone_UnderBurmese_NamesThemInBurmese()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        await AskAsync(father, Lakeview, null);
        await ActForAsync(son, father);
        SignInPatient(son);
        GrantPagesTests.BrowserHolds(JSInterop, son);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<Sharing>();
            page.WaitForElement("[data-testid='sharing-acting-for']");
            page.WaitForElement("[data-testid='grants-empty']");
            return BurmeseText.Of(page).ToList();
        });

        var fathersName = await NameOfAsync(father);
        AssertBurmese(texts, [.. await FacilityNamesAsync(), fathersName]);
        Assert.Contains(texts, t => t.Contains($"သင်သည် {fathersName} (သင်သည် ၎င်း၏ ပြုစုစောင့်ရှောက်သူ ဖြစ်သည်) ကိုယ်စား", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains($"{fathersName} ၏ ခွင့်ပြုချက်များ", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains($"{fathersName} ၏ မှတ်တမ်းများကို မည်သည့် ကျန်းမာရေးဌာနနှင့်မျှ မမျှဝေရသေးပါ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sharing_ActingForSomeoneWithoutTheSharePower_UnderBurmese_GivesTheReasonInBurmese()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);
        await ActForAsync(son, father);
        SignInPatient(son);
        GrantPagesTests.BrowserHolds(JSInterop, son);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<Sharing>();
            page.WaitForElement("[data-testid='sharing-not-allowed']");
            Assert.Empty(page.FindAll("[data-testid='share-panel']"));
            return BurmeseText.Of(page).ToList();
        });

        var fathersName = await NameOfAsync(father);
        AssertBurmese(texts, [.. await FacilityNamesAsync(), fathersName]);
        Assert.Contains(texts, t => t.Contains($"{fathersName} ထံမှ သင်ရရှိထားသော ကိုယ်စားလှယ်ခွင့်တွင် မျှဝေမှုကို စီမံခွင့် မပါဝင်", StringComparison.Ordinal));
    }

    /// <summary>The switcher's choice, made through the app's own service as the app bar makes it.</summary>
    private async Task ActForAsync(TestPatient delegatePatient, TestPatient person)
        => Assert.True(await portal.Services.GetRequiredService<HealthPortal.Features.ActingFor.ActingForChoices>().ChooseAsync(delegatePatient.Principal, person.Mpi!));

    private Task<string> NameOfAsync(TestPatient patient) =>
        portal.QueryAsync(db => db.PatientProfiles.Where(p => p.MpiNumber == patient.Mpi).Select(p => p.FullName).SingleAsync());

    [Fact]
    public async Task RequestAccessPanel_UnderBurmese_ShowsEveryStateInBurmese()
    {
        var patient = await portal.RegisteredPatientAsync();
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        await AskAsync(patient, Lakeview, null);
        var withdrawn = await AskAsync(patient, Lakeview, null);
        var declined = await AskAsync(patient, Lakeview, BurmeseMessage);
        await portal.WithScopeAsync(async s =>
        {
            var requests = s.GetRequiredService<AccessRequests>();
            await requests.CancelAsync(staff, withdrawn);
            return await requests.DeclineAsync(patient.Principal, declined, "မလိုအပ်ပါ");
        });
        Auth.SetAuthorized(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, staff.FindFirstValue(ClaimTypes.NameIdentifier)!));

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var panel = Render<RequestAccessPanel>(p => p.Add(x => x.Mpi, patient.Mpi!).Add(x => x.FacilityId, Lakeview));
            panel.WaitForAssertion(() => Assert.Equal(3, panel.FindAll("[data-testid='request-row']").Count));
            return BurmeseText.Of(panel).ToList();
        });

        AssertBurmese(texts, await FacilityNamesAsync());
        Assert.Contains(texts, t => t.Contains("ငြင်းပယ်ခဲ့သည်- မလိုအပ်ပါ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PendingRequestsBadge_UnderBurmese_CountsInBurmese()
    {
        var patient = await portal.RegisteredPatientAsync();
        await AskAsync(patient, Lakeview, null);
        await AskAsync(patient, Northgate, null);
        SignInPatient(patient);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var badge = Render<PendingRequestsBadge>();
            badge.WaitForElement("[data-testid='dashboard-access-requests']");
            return BurmeseText.Of(badge).ToList();
        });

        AssertBurmese(texts, await FacilityNamesAsync());
        Assert.Contains(texts, t => t.Contains("ကျန်းမာရေးဌာန 2 ခုက", StringComparison.Ordinal));
    }

    private static void AssertBurmese(IReadOnlyList<string> texts, IReadOnlyList<string> facilityNames)
    {
        Assert.Contains(texts, text => text.Any(c => c is >= '\u1000' and <= '\u109F'));
        var english = texts
            .Select(text => facilityNames.Aggregate(text, (t, name) => t.Replace(name, " ", StringComparison.Ordinal)))
            .SelectMany(BurmeseText.EnglishWords).Distinct().ToList();
        Assert.True(english.Count == 0, "English on a Burmese grant page: " + string.Join(", ", english) + "\n" + string.Join("\n", texts));
    }

    private void SignInPatient(TestPatient patient) => GrantPagesTests.SignIn(Auth, patient);

    private Task IssueAsync(TestPatient patient, string facility, DateTime start, DateTime end)
        => GrantPagesTests.IssueAsync(portal, patient, facility, start, end, RecordKinds.LabResult, RecordKinds.Diagnosis);

    private async Task<string> AskAsync(TestPatient patient, string facility, string? message)
    {
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, facility));
        var asked = await portal.WithScopeAsync(s => s.GetRequiredService<AccessRequests>().CreateAsync(staff, facility, patient.Mpi!,
            new AccessRequestInput { Kinds = [RecordKinds.Diagnosis], Purpose = GrantPurposes.SecondOpinion, DurationDays = 10, Message = message }));
        Assert.True(asked.IsOk, asked.Message);
        return asked.Value!.Id;
    }
}
