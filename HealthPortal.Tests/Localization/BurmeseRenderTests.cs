using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using HealthPortal.Components.Layout;
using HealthPortal.Components.Pages;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Localization;
using HealthPortal.Features.Shell;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// Every component of the folders already moved to resource files, rendered with the UI culture <c>my</c>, shows no
/// English word. The folders still in English are listed here and in docs/localization.md; a test fails when a folder
/// with components is in neither list, so nothing is skipped silently.
/// </summary>
public sealed partial class BurmeseRenderTests : PortalComponentTest
{
    /// <summary>Folders whose every component takes its words from resources (Burmese in <c>X.my.resx</c>).</summary>
    public static readonly string[] DoneFolders =
    [
        "Components",           // App and Routes: the document and the router, no words of their own
        "Components/Account",   // the static Identity pages, fetched under Burmese by AccountBurmeseTests
        "Components/Layout",    // the reconnect dialog
        "Components/Pages",     // start page, error, not found
        "Features/Access",
        "Features/Accounts",
        "Features/Admin",
        "Features/Admission",
        "Features/Facilities",
        "Features/Anchoring",
        "Features/BreakGlass",
        "Features/Corrections",
        "Features/Explorer",
        "Features/FacilityPortal",
        "Features/Grants",
        "Features/Invitations",
        "Features/Keys",
        "Features/Localization",
        "Features/Mpi",
        "Features/Retractions",
        "Features/Shell",
        "Features/Patient",
        "Features/Records",
        "Features/ActingFor",
        "Features/Delegation",
    ];

    /// <summary>Folders not moved yet: their pages are English under either culture. This list shrinks to empty.</summary>
    public static readonly string[] NotDoneFolders =
    [
        "Features/Children",
        "Features/Ehr",
        "Features/Ingest",
        "Features/Interop",
        "Features/ShareLinks",
        "Features/Times",
    ];

    private const string BurmeseName = "ဒေါ်အေးအေးမြင့်";

    private static readonly Dictionary<Type, Func<BurmeseRenderTests, IEnumerable<string>>> Cases = new()
    {
        [typeof(NavMenu)] = t => t.NavMenuUnderEveryRole(),
        [typeof(UserMenu)] = t => t.UserMenuOpened(),
        [typeof(MainLayout)] = t => BurmeseText.Of(t.Render<MainLayout>(p => p.Add(c => c.Body, (RenderFragment)(b => b.AddContent(0, BurmeseName))))),
        [typeof(AccountLayout)] = t => BurmeseText.Of(t.Render<AccountLayout>(p => p.Add(c => c.Body, (RenderFragment)(b => b.AddContent(0, BurmeseName))))),
        [typeof(CopyButton)] = t => BurmeseText.Of(t.Render<CopyButton>(p => p.Add(c => c.Value, "b3JkZXI"))),
        [typeof(LedgerId)] = t => BurmeseText.Of(t.Render<LedgerId>(p => p.Add(c => c.Value, "b3JkZXI-tx_id"))),
        [typeof(HowThisWorks)] = t => BurmeseText.Of(t.Render<HowThisWorks>(p => p.Add(c => c.ChildContent, (RenderFragment)(b => b.AddContent(0, BurmeseName))))),
        [typeof(StatCard)] = t => BurmeseText.Of(t.Render<StatCard>(p => p.Add(c => c.Label, BurmeseName).Add(c => c.Value, 3))),
        [typeof(LanguageSwitch)] = t => t.LanguageSwitchBothKinds(),
        [typeof(NotFound)] = t => BurmeseText.Of(t.Render<NotFound>()),
        [typeof(Error)] = t => BurmeseText.Of(t.Render<Error>()),
        [typeof(Home)] = t => BurmeseText.Of(t.Render<Home>()),
        [typeof(ReconnectModal)] = t => BurmeseText.Of(t.Render<ReconnectModal>()),
        [typeof(HealthPortal.Features.Accounts.AccountStatusChip)] = t => Enum.GetValues<HealthPortal.Features.Accounts.AccountStatus>()
            .SelectMany(status => BurmeseText.Of(t.Render<HealthPortal.Features.Accounts.AccountStatusChip>(p => p.Add(c => c.Status, status)))),
        [typeof(GrantForm)] = t => t.GrantFormWithEveryMessage(),
        [typeof(FieldMessage)] = t => BurmeseText.Of(t.Render<FieldMessage>(p => p
            .Add(c => c.Problems, GrantValidation.Check(new GrantInput { Start = DateTime.UtcNow.AddDays(-2), End = DateTime.UtcNow.AddDays(-1) }, DateTimeOffset.UtcNow, 365, []))
            .Add(c => c.Field, GrantValidation.EndField))),
        [typeof(GrantList)] = t => BurmeseText.Of(t.Render<GrantList>(p => p.Add(c => c.CanRevoke, true).Add(c => c.Grants,
            [.. Enum.GetValues<GrantStatus>().Select(GrantOf)]))).Concat(BurmeseText.Of(t.Render<GrantList>())),
        [typeof(RevokeGrantDialog)] = t => t.RevokeDialogOpened(),
        [typeof(HealthPortal.Features.Keys.StepMark)] = t => BurmeseText.Of(t.Render<HealthPortal.Features.Keys.StepMark>(p => p.Add(c => c.Number, 2)))
            .Concat(BurmeseText.Of(t.Render<HealthPortal.Features.Keys.StepMark>(p => p.Add(c => c.Number, 1).Add(c => c.Done, true)))),
        [typeof(HealthPortal.Features.Keys.SignerChoice)] = t => t.SignerChoiceWithTwoWallets(),
        [typeof(HealthPortal.Features.Facilities.FacilityStatusChip)] = t => Enum.GetValues<HealthPortal.Features.Facilities.FacilityStatus>()
            .SelectMany(status => BurmeseText.Of(t.Render<HealthPortal.Features.Facilities.FacilityStatusChip>(p => p.Add(c => c.Status, status)))),
        [typeof(HealthPortal.Features.Anchoring.AnchorStatusChip)] = t => Enum.GetValues<HealthPortal.Features.Anchoring.AnchorStatus>()
            .SelectMany(status => BurmeseText.Of(t.Render<HealthPortal.Features.Anchoring.AnchorStatusChip>(p => p.Add(c => c.Status, status).Add(c => c.Height, 12L)))),
        [typeof(HealthPortal.Features.Records.IntegrityChip)] = t => t.IntegrityChipEveryVerdict(),
        [typeof(HealthPortal.Features.Patient.Summary.ResultTrendChart)] = t => t.TrendChartWithRange(),
        [typeof(HealthPortal.Features.Delegation.DelegationList)] = t => t.DelegationListEveryStatus(),
        [typeof(HealthPortal.Features.Delegation.DelegationFieldMessage)] = t => t.DelegationFieldMessageOfTheService(),
    };

    /// <summary>Components with no words of their own (nothing to render in a test): the reason is the value.</summary>
    private static readonly Dictionary<Type, string> WithoutWords = new()
    {
        [typeof(HealthPortal.Components.App)] = "the HTML document: its only text is <html lang>, checked by CultureSwitchTests",
        [typeof(HealthPortal.Components.Routes)] = "the router: renders the page and layout, each tested here",
        [typeof(HealthPortal.Features.Keys.KeyId)] = "a key's fingerprint in <code>: data, no words",
        [typeof(HealthPortal.Features.Mpi.AdminMpiReview)] = "the admin portal's route to MpiReview, which renders all its words (MpiBurmeseTests)",
        [typeof(HealthPortal.Features.Facilities.FacilityKindIcon)] = "an icon hidden from screen readers (aria-hidden); the kind's name is written beside it by FacilityWords",
        [typeof(HealthPortal.Components.Account.Shared.PasskeySubmit)] = "a submit button whose words are its caller's (ChildContent), checked with Passkeys and Login",
        [typeof(HealthPortal.Components.Account.Shared.RedirectToLogin)] = "a redirect: renders nothing",
    };

    /// <summary>
    /// Components that read the portal's database and ledger, rendered under <c>my</c> by the named test class with
    /// the test portal's fixtures (which this class does not have).
    /// </summary>
    private static readonly Dictionary<Type, Type> RenderedBy = new()
    {
        [typeof(Sharing)] = typeof(GrantsBurmeseTests),
        [typeof(RequestAccessPanel)] = typeof(GrantsBurmeseTests),
        [typeof(PendingRequestsBadge)] = typeof(GrantsBurmeseTests),
        [typeof(HealthPortal.Features.Invitations.AcceptInvitation)] = typeof(InvitationsBurmeseTests), // server-rendered: fetched over HTTP
        [typeof(HealthPortal.Features.Keys.KeySetup)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Keys.Devices)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Keys.LinkDevice)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Keys.RecoverKeys)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Keys.KeyCallToAction)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Keys.Recoveries)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Keys.AdminSignerChoice)] = typeof(KeysBurmeseTests),
        [typeof(HealthPortal.Features.Anchoring.ConfirmRecords)] = typeof(AnchoringBurmeseTests),
        [typeof(HealthPortal.Features.Anchoring.AnchorReview)] = typeof(AnchoringBurmeseTests),
        [typeof(HealthPortal.Features.Anchoring.WaitingConfirmations)] = typeof(AnchoringBurmeseTests),
        [typeof(HealthPortal.Features.Anchoring.WaitingForPatient)] = typeof(AnchoringBurmeseTests),
        [typeof(HealthPortal.Features.Anchoring.ConfirmationQr)] = typeof(AnchoringBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.FacilityDashboard)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.FacilityAnchorBoard)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.PatientFinder)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.FacilityPatient)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.FacilityAudit)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.FacilityRecovery)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.FacilityPortal.FacilityStaff)] = typeof(FacilityPortalBurmeseTests),
        [typeof(HealthPortal.Features.Admission.Join)] = typeof(AdmissionBurmeseTests),
        [typeof(HealthPortal.Features.Admission.Registrations)] = typeof(AdmissionBurmeseTests),
        [typeof(HealthPortal.Features.Admission.DecisionDialog)] = typeof(AdmissionBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Login)] = typeof(CultureSwitchTests), // server-rendered: fetched over HTTP
        [typeof(HealthPortal.Components.Account.Pages.Register)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.RegisterConfirmation)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ConfirmEmail)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ConfirmEmailChange)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ForgotPassword)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ForgotPasswordConfirmation)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ResetPassword)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ResetPasswordConfirmation)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.InvalidPasswordReset)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.ResendEmailConfirmation)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.LoginWith2fa)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.LoginWithRecoveryCode)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Lockout)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.AccessDenied)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.InvalidUser)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.Index)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.Email)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.ChangePassword)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.SetPassword)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.TwoFactorAuthentication)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.EnableAuthenticator)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.Disable2fa)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.ResetAuthenticator)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.GenerateRecoveryCodes)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.Passkeys)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.RenamePasskey)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.Sessions)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.PersonalData)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.DeletePersonalData)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Pages.Manage.SecondFactorRequired)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Shared.ManageLayout)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Shared.ManageNavMenu)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Shared.ShowRecoveryCodes)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Components.Account.Shared.StatusMessage)] = typeof(AccountBurmeseTests),
        [typeof(HealthPortal.Features.Patient.PatientDashboard)] = typeof(PatientDashboardBurmeseTests),
        [typeof(HealthPortal.Features.Patient.Records.MyRecords)] = typeof(PatientBurmeseTests),
        [typeof(HealthPortal.Features.Patient.Records.RecordDetail)] = typeof(PatientBurmeseTests),
        [typeof(HealthPortal.Features.Patient.Summary.HealthSummaryPage)] = typeof(PatientBurmeseTests),
        [typeof(HealthPortal.Features.Records.FhirRecordView)] = typeof(PatientBurmeseTests),
        [typeof(HealthPortal.Features.Patient.Identity.MyIdentityPage)] = typeof(DelegationBurmeseTests),
        [typeof(HealthPortal.Features.Patient.Identity.MergeConfirmPage)] = typeof(DelegationBurmeseTests),
        [typeof(HealthPortal.Features.Patient.MpiCard)] = typeof(DelegationBurmeseTests),
        [typeof(HealthPortal.Features.Delegation.Delegations)] = typeof(DelegationBurmeseTests),
        [typeof(HealthPortal.Features.ActingFor.ActingForSwitcher)] = typeof(DelegationBurmeseTests),
        [typeof(HealthPortal.Features.ActingFor.OwnDataNotice)] = typeof(DelegationBurmeseTests),
        [typeof(HealthPortal.Features.Access.AccessHistory)] = typeof(AccessBurmeseTests), // server-rendered: fetched over HTTP
        [typeof(HealthPortal.Features.Access.AccessBasis)] = typeof(AccessBurmeseTests),
        [typeof(HealthPortal.Features.Access.AccessedRecords)] = typeof(AccessBurmeseTests),
        [typeof(HealthPortal.Features.Access.StaffIdDetail)] = typeof(AccessBurmeseTests),
        [typeof(HealthPortal.Features.Access.DelegatedActsPanel)] = typeof(AccessBurmeseTests),
        [typeof(HealthPortal.Features.Access.ShareLinkOpenings)] = typeof(AccessBurmeseTests),
        [typeof(HealthPortal.Features.BreakGlass.BreakGlassAlert)] = typeof(AccessBurmeseTests),
        [typeof(HealthPortal.Features.BreakGlass.BreakGlassQueue)] = typeof(BreakGlassBurmeseTests), // server-rendered: fetched over HTTP
        [typeof(HealthPortal.Features.Corrections.RecordHistory)] = typeof(CorrectionsBurmeseTests),
        [typeof(HealthPortal.Features.Corrections.AskForCorrection)] = typeof(CorrectionsBurmeseTests),
        [typeof(HealthPortal.Features.Corrections.CorrectionRequestsPanel)] = typeof(CorrectionsBurmeseTests),
        [typeof(HealthPortal.Features.Retractions.RetractionPanel)] = typeof(RetractionsBurmeseTests),
        [typeof(HealthPortal.Features.Mpi.MpiReview)] = typeof(MpiBurmeseTests),
        [typeof(HealthPortal.Features.Mpi.DisputeQueue)] = typeof(MpiBurmeseTests),
        [typeof(HealthPortal.Features.Mpi.MpiImportPage)] = typeof(MpiBurmeseTests),
        [typeof(HealthPortal.Features.Mpi.WalkInCheck)] = typeof(WalkInBurmeseTests),
        [typeof(HealthPortal.Features.Admin.AdminDashboard)] = typeof(AdminBurmeseTests), // server-rendered: fetched over HTTP
        [typeof(HealthPortal.Features.Admin.AdminAccounts)] = typeof(AdminBurmeseTests),
        [typeof(HealthPortal.Features.Admin.IdentityChecksPage)] = typeof(AdminBurmeseTests),
        [typeof(HealthPortal.Features.Admin.MailOutboxPage)] = typeof(AdminBurmeseTests),
        [typeof(HealthPortal.Features.Admin.AdminWalletPage)] = typeof(AdminBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.LedgerExplorer)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.PatientOnLedger)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.FacilityOnLedger)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.LedgerTransaction)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.Verdict)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.TxLink)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.ChainVerification)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.NetworkPanel)] = typeof(ExplorerBurmeseTests),
        [typeof(HealthPortal.Features.Explorer.ConsortiumMembers)] = typeof(ConsortiumBurmeseTests),
    };

    public BurmeseRenderTests()
    {
        Services.AddDbContextFactory<HealthPortal.Data.ApplicationDbContext>(db => db.UseSqlite("Data Source=:memory:"));
        Services.AddSingleton<UserTimes>();
    }

    public static TheoryData<string> DoneComponents()
    {
        var data = new TheoryData<string>();
        foreach (var type in ComponentsOf(DoneFolders).Where(t => !WithoutWords.ContainsKey(t) && !RenderedBy.ContainsKey(t))) data.Add(type.FullName!);
        return data;
    }

    [Fact]
    public void EveryFolderWithComponents_IsListedAsDoneOrNotDone()
    {
        var folders = AppComponents().Select(FolderOf).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Empty(folders.Except(DoneFolders).Except(NotDoneFolders));
        Assert.Empty(DoneFolders.Intersect(NotDoneFolders));
        Assert.Empty(NotDoneFolders.Except(folders)); // a folder finished or gone leaves the list
    }

    [Fact]
    public void EveryComponentOfTheDoneFolders_HasARenderCase()
    {
        var uncovered = ComponentsOf(DoneFolders).Where(t => !Cases.ContainsKey(t) && !WithoutWords.ContainsKey(t) && !RenderedBy.ContainsKey(t)).Select(t => t.FullName);

        Assert.Empty(uncovered);
    }

    [Fact]
    public void EveryComponentRenderedElsewhere_IsNamedInItsTestClass()
    {
        // A test class that renders a component under Burmese names it (a Render<T> call, or the page's type for a
        // server-rendered page it fetches), so the list above cannot point at a class that no longer checks it.
        var missing = RenderedBy.Where(e => !File.ReadAllText(TestSource(e.Value)).Contains($"Render<{e.Key.Name}>", StringComparison.Ordinal)
                                            && !File.ReadAllText(TestSource(e.Value)).Contains($"<see cref=\"{e.Key.Name}\"/>", StringComparison.Ordinal))
            .Select(e => $"{e.Value.Name} does not render {e.Key.Name}");

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(DoneComponents))]
    public void Component_UnderBurmese_ShowsNoEnglishWord(string component)
    {
        var type = AppComponents().Single(t => t.FullName == component);
        var before = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(PortalCultures.Burmese);
        try
        {
            var texts = Cases[type](this).ToList();

            Assert.NotEmpty(texts);
            Assert.Contains(texts, text => BurmeseLetter().IsMatch(text));
            var english = texts.SelectMany(BurmeseText.EnglishWords).Distinct().ToList();
            Assert.True(english.Count == 0, $"{type.Name} under 'my' shows English: {string.Join(", ", english)}\n{string.Join("\n", texts)}");
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = before;
        }
    }

    [Fact]
    public void Checker_FindsEnglishWordsButNotAllowedTermsOrAddresses()
    {
        var card = Render<StatCard>(p => p.Add(c => c.Label, "Patients seen (MPI) aye@example.test"));

        Assert.Equal(["Patients", "seen"], BurmeseText.Of(card).SelectMany(BurmeseText.EnglishWords));
        Assert.Empty(BurmeseText.EnglishWords("MPI ၁၂ HealthPortal aye@example.test https://example.test/x"));
    }

    [Fact]
    public void NavMenu_UnderEnglish_StaysEnglish()
    {
        Auth.SetAuthorized("aye.patient@demo.healthportal.test");
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(PortalCultures.Default);
        try
        {
            Assert.Contains("My health profile", Render<NavMenu>().Find("[data-testid='nav-patient']").TextContent);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private IEnumerable<string> NavMenuUnderEveryRole()
    {
        var texts = new List<string>();
        Auth.SetNotAuthorized();
        texts.AddRange(BurmeseText.Of(Render<NavMenu>()));
        foreach (var (role, policies) in new[]
                 {
                     (Roles.Patient, new[] { PortalPolicies.PatientPortal }),
                     (Roles.FacilityManager, [PortalPolicies.FacilityPortal, PortalPolicies.FacilityManagement]),
                     (Roles.Admin, [PortalPolicies.AdminPortal]),
                 })
        {
            Auth.SetAuthorized("someone@demo.healthportal.test");
            Auth.SetRoles(role);
            Auth.SetPolicies(policies);
            texts.AddRange(BurmeseText.Of(Render<NavMenu>()));
        }
        return texts;
    }

    private IEnumerable<string> UserMenuOpened()
    {
        var texts = new List<string>();
        Auth.SetNotAuthorized();
        texts.AddRange(BurmeseText.Of(Render<UserMenu>()));

        Auth.SetAuthorized("aye.patient@demo.healthportal.test");
        Auth.SetRoles(Roles.Patient, Roles.FacilityStaff, Roles.FacilityManager, Roles.Admin);
        Auth.SetClaims(new Claim(PortalClaims.DisplayName, BurmeseName));
        var popovers = Render<MudPopoverProvider>();
        var menu = Render<UserMenu>();
        menu.Find("button").Click();
        texts.AddRange(BurmeseText.Of(menu));
        texts.AddRange(BurmeseText.Of(popovers));
        return texts;
    }

    private IEnumerable<string> LanguageSwitchBothKinds()
    {
        var popovers = Render<MudPopoverProvider>();
        var menu = Render<LanguageSwitch>();
        menu.Find("button").Click();
        return [.. BurmeseText.Of(Render<LanguageSwitch>(p => p.Add(c => c.Plain, true))), .. BurmeseText.Of(menu), .. BurmeseText.Of(popovers)];
    }

    private static GrantView GrantOf(GrantStatus status) => new(
        "grant-" + status, "node-a", "ရန်ကုန် ပြည်သူ့ဆေးရုံကြီး", [HealthPortal.Features.Records.RecordKinds.LabResult, HealthPortal.Features.Records.RecordKinds.Note],
        HealthPortal.Ledger.Transactions.Purposes.SecondOpinion, new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 6, 4, 0, 0, TimeSpan.Zero),
        7, status == GrantStatus.Revoked ? 9 : null, status == GrantStatus.Revoked ? new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero) : null, status);

    private IEnumerable<string> GrantFormWithEveryMessage()
    {
        ComponentFactories.AddStub<HealthPortal.Features.Times.DateField>(); // Features/Times is not in Burmese yet
        var texts = new List<string>();
        foreach (var facilities in new FacilityChoice[][] { [], [new("f", "ရန်ကုန် ပြည်သူ့ဆေးရုံကြီး", HealthPortal.Features.Facilities.FacilityKind.Hospital, "node-f")] })
        {
            var input = new GrantInput { Purpose = GrantPurposes.Other, Start = DateTime.UtcNow.AddDays(-2), End = DateTime.UtcNow.AddDays(400) };
            var form = Render<GrantForm>(p => p.Add(c => c.Input, input).Add(c => c.Facilities, facilities).Add(c => c.OnCancel, () => { }));
            form.Find("[data-testid='grant-review']").Click();
            texts.AddRange(BurmeseText.Of(form));
        }
        return texts;
    }

    private IEnumerable<string> SignerChoiceWithTwoWallets()
    {
        // Two wallets in the page and a wallet chosen: the provider picker and the hint show too; no browser key here.
        var providers = new[] { new HealthPortal.Features.Keys.WalletProvider("a", "ဝေါလက် က", "a.example"), new HealthPortal.Features.Keys.WalletProvider("b", "ဝေါလက် ခ", "b.example") };
        var popovers = Render<MudPopoverProvider>();
        var choice = Render<HealthPortal.Features.Keys.SignerChoice>(p => p
            .Add(c => c.Wallets, ["0x0000000000000000000000000000000000001234"])
            .Add(c => c.Value, "0x0000000000000000000000000000000000001234")
            .Add(c => c.Providers, providers).Add(c => c.ProviderId, "a"));
        return [.. BurmeseText.Of(choice), .. BurmeseText.Of(popovers)];
    }

    private IEnumerable<string> RevokeDialogOpened()
    {
        var provider = Render<MudDialogProvider>();
        var parameters = new DialogParameters<RevokeGrantDialog> { { d => d.Grant, GrantOf(GrantStatus.Active) } };
        provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<RevokeGrantDialog>("", parameters)).GetAwaiter().GetResult();
        return BurmeseText.Of(provider);
    }

    private static string TestSource(Type test)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "HealthPortal.Tests", "Localization", test.Name + ".cs");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{test.Name}.cs not found above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<Type> AppComponents() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract && !t.IsNested && t.Namespace?.StartsWith("HealthPortal.", StringComparison.Ordinal) == true)
            .Where(t => t.GetCustomAttributes(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false).Length == 0);

    private static IEnumerable<Type> ComponentsOf(IEnumerable<string> folders) =>
        AppComponents().Where(t => folders.Contains(FolderOf(t))).OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>"Features/Ehr" for HealthPortal.Features.Ehr.Clinic.X; "Components/Account" for its Pages.Manage; "Components" for App.</summary>
    private static string FolderOf(Type type)
    {
        var parts = type.Namespace!.Split('.');
        return parts.Length >= 3 ? $"{parts[1]}/{parts[2]}" : parts[1];
    }



    [GeneratedRegex(@"[\u1000-\u109F]")]
    private static partial Regex BurmeseLetter();
}
