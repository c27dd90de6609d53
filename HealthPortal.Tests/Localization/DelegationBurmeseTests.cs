using System.Globalization;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Localization;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patient.Identity;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// Under Burmese, over the test portal's database and ledger, with a mother who lets her son see her records: the
/// delegations page of each (given and held, the form's messages, the review with the text that is signed), the app
/// bar's acting-for switcher and the own-data notice (Features/ActingFor), and the patient's own pages that read the
/// ledger (Features/Patient: My identity, the MPI card, a merge that does not exist). Names and MPI numbers are data.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DelegationBurmeseTests(PortalFactory portal) : PortalComponentTest
{
    private const string KeysModule = "./js/patient-keys.js";

    private TestPatient mother = default!;
    private TestPatient son = default!;
    private string[] names = [];

    protected override async Task ConfigureAsync()
    {
        var app = portal.Services;
        var scope = app.CreateScope();
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        Services.AddSingleton(app.GetRequiredService<ActingForChoices>());
        Services.AddSingleton(scope.ServiceProvider.GetRequiredService<DelegateAccess>());
        Services.AddSingleton(scope.ServiceProvider.GetRequiredService<PatientDelegations>());
        Services.AddSingleton(scope.ServiceProvider.GetRequiredService<MyIdentity>());
        Services.AddSingleton(scope.ServiceProvider.GetRequiredService<HealthPortal.Features.Mpi.MpiDisputes>());
        Services.AddSingleton(scope.ServiceProvider.GetRequiredService<MergeConfirmations>());

        mother = await portal.RegisteredPatientAsync();
        son = await portal.RegisteredPatientAsync();
        var input = new DelegationInput { Person = son.Mpi!, Powers = [DelegationPowers.View, DelegationPowers.Share], Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(30) };
        await portal.WithScopeAsync(async s =>
        {
            var delegations = s.GetRequiredService<PatientDelegations>();
            var body = (await delegations.DraftIssueAsync(mother.Principal, input)).Value!.Body;
            return (await delegations.IssueAsync(mother.Principal, body, mother.Key!.Jwk, mother.Key.Sign(TxType.DelegationIssue, body))).Value!.DelegationId;
        });
        names = [.. (await app.GetRequiredService<DelegateAccess>().NamesAsync([mother.Mpi!, son.Mpi!])).Values, mother.Mpi!, son.Mpi!];
    }

    [Fact]
    public void Delegations_UnderBurmese_GivenHeldFormMessagesAndReview_ShowNoEnglishBeyondNamesAndNumbers()
    {
        ComponentFactories.AddStub<HealthPortal.Features.Times.DateField>(); // Features/Times is not in Burmese yet
        var texts = new List<string>();
        SignIn(mother);
        texts.AddRange(BurmeseText.UnderBurmese(() =>
        {
            Render<MudPopoverProvider>();
            var page = Render<Delegations>();
            page.WaitForElement("[data-testid='delegations-given'] [data-testid='delegation-row']");
            page.Find("[data-testid='delegation-review']").Click(); // nobody named: the form's messages
            page.WaitForElement("[data-testid='delegation-error-person']");
            var found = BurmeseText.Of(page).ToList();
            page.Find("#delegation-person").Change(son.Mpi!);
            page.Find("[data-testid='delegation-review']").Click(); // the review of what is signed
            page.WaitForElement("[data-testid='delegation-summary']");
            return [.. found, .. BurmeseText.Of(page)];
        }));
        SignIn(son);
        texts.AddRange(BurmeseText.UnderBurmese(() =>
        {
            var page = Render<Delegations>();
            page.WaitForElement("[data-testid='delegations-received'] [data-testid='delegation-row']");
            return BurmeseText.Of(page).ToList();
        }));

        BurmeseText.AssertBurmeseBeyond(texts, names, "the delegations page");
        Assert.Contains(texts, t => t.Contains("ကျွန်ုပ်ကိုယ်စား ဆောင်ရွက်ခွင့်ရှိသူများ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ActingForSwitcherAndOwnDataNotice_UnderBurmese_ShowNoEnglishBeyondNames()
    {
        SignIn(son);
        Assert.True(await portal.Services.GetRequiredService<ActingForChoices>().ChooseAsync(son.Principal, mother.Mpi!));

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var popovers = Render<MudPopoverProvider>();
            var switcher = Render<ActingForSwitcher>();
            switcher.WaitForElement("[data-testid='acting-for'] button");
            switcher.Find("[data-testid='acting-for'] button").Click();
            popovers.WaitForElement("[data-testid='acting-for-choice']");
            var notice = Render<OwnDataNotice>(p => p.Add(n => n.What, "ကျွန်ုပ်၏ စက်ပစ္စည်းများ").Add(n => n.Instead, "မှတ်တမ်းများ"));
            notice.WaitForElement("[data-testid='own-data-notice']");
            return [.. BurmeseText.Of(switcher), .. BurmeseText.Of(popovers), .. BurmeseText.Of(notice)];
        });

        BurmeseText.AssertBurmeseBeyond(texts, names, "the acting-for switcher and notice");
    }

    [Fact]
    public void MyIdentityCardAndMerge_UnderBurmese_ShowNoEnglishBeyondNamesAndNumbers()
    {
        SignIn(mother);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var identity = Render<MyIdentityPage>();
            identity.WaitForElement("[data-testid='identity-mpi']");
            var card = Render<MpiCard>();
            card.WaitForElement("[data-testid='mpi-card-printable']");
            var merge = Render<MergeConfirmPage>(p => p.Add(m => m.Id, int.MaxValue));
            merge.WaitForElement("[data-testid='merge-not-found']");
            return [.. BurmeseText.Of(identity), .. BurmeseText.Of(card), .. BurmeseText.Of(merge)];
        });

        BurmeseText.AssertBurmeseBeyond(texts, names, "My identity, the MPI card and the merge page");
    }

    [Fact]
    public void MpiCard_UnderEitherLanguage_PrintsItsLabelsInBoth()
    {
        SignIn(mother);

        foreach (var culture in new[] { PortalCultures.Default, PortalCultures.Burmese })
        {
            var before = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            try
            {
                var card = Render<MpiCard>();
                var printable = card.WaitForElement("[data-testid='mpi-card-printable']").TextContent;
                foreach (var label in new[] { "Master Patient Index", "Name", "MPI number", "လူနာ အဓိက အညွှန်း", "အမည်", "MPI နံပါတ်" })
                    Assert.Contains(label, printable);
            }
            finally
            {
                CultureInfo.CurrentUICulture = before;
            }
        }
    }

    private void SignIn(TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims([.. patient.Principal.Claims]);
        var module = JSInterop.SetupModule(KeysModule);
        module.Setup<JsonObject>("publicKey", _ => true).SetResult(patient.Key!.Jwk.ToJson());
    }
}
