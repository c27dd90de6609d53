using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>Linking, revoking and checking a patient's device keys through <see cref="PatientKeys"/> on the real ledger.</summary>
[Collection(PortalCollection.Name)]
public sealed class PatientKeysTests(PortalFactory portal)
{
    private Task<T> Keys<T>(Func<PatientKeys, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientKeys>()));

    private LedgerEngine Ledger => portal.Services.GetRequiredService<LedgerHost>().Engine;

    [Fact]
    public async Task Link_HappyPath_AddsTheNewBrowsersKeyCoSignedByTheExistingOne()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var link = (await Keys(k => k.OpenLinkAsync(patient.Principal)))!;
        var stages = new List<LinkStage>();
        link.Changed += () => stages.Add(link.Stage);

        var body = (await Keys(k => k.JoinLinkAsync(patient.Principal, link.Code, newBrowser.Jwk))).ValueOrThrow();
        var joined = await Keys(k => k.SubmitLinkSignatureAsync(patient.Principal, newBrowser.Sign(TxType.KeyAdd, body)));
        Assert.True(joined.IsSuccess, joined.Message);
        Assert.Equal(LinkStage.WaitingForApproval, link.Stage);
        Assert.Equal(newBrowser.Kid, link.NewKid);

        var outcome = await Keys(k => k.ApproveLinkAsync(patient.Principal, link.Id, patient.Key!.Jwk, patient.Key.Sign(TxType.KeyAdd, link.Body!)));

        Assert.True(outcome.IsOk, outcome.Message);
        Assert.Equal(LinkStage.Linked, link.Stage);
        Assert.Equal(outcome.Value, link.Height);
        Assert.Equal([LinkStage.WaitingForApproval, LinkStage.Submitting, LinkStage.Linked], stages);
        var keys = Ledger.State.KeysOf(patient.Mpi!);
        Assert.Equal([patient.Key!.Kid, newBrowser.Kid], keys.Select(k => k.Kid));
        Assert.All(keys, k => Assert.True(k.IsActive));
    }

    [Fact]
    public async Task Link_WrongCode_IsRefusedAndTheLinkStaysOpen()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var link = (await Keys(k => k.OpenLinkAsync(patient.Principal)))!;
        var wrong = ((int.Parse(link.Code, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

        var joined = await Keys(k => k.JoinLinkAsync(patient.Principal, wrong, newBrowser.Jwk));

        Assert.Equal(LedgerError.SignerNotAuthorized, joined.Error);
        Assert.Contains("code is not right", joined.Message);
        Assert.Equal(LinkStage.WaitingForNewDevice, link.Stage);
        Assert.True((await Keys(k => k.JoinLinkAsync(patient.Principal, link.Code, newBrowser.Jwk))).IsSuccess);
    }

    [Fact]
    public async Task Link_FiveWrongCodes_CloseTheLink()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var link = (await Keys(k => k.OpenLinkAsync(patient.Principal)))!;
        var wrong = link.Code == "000000" ? "000001" : "000000";

        for (var i = 0; i < 5; i++) await Keys(k => k.JoinLinkAsync(patient.Principal, wrong, newBrowser.Jwk));

        Assert.Equal(LinkStage.Failed, link.Stage);
        Assert.False((await Keys(k => k.JoinLinkAsync(patient.Principal, link.Code, newBrowser.Jwk))).IsSuccess);
    }

    [Fact]
    public async Task Link_OfAnotherPatient_CannotBeJoined()
    {
        var owner = await portal.RegisteredPatientAsync();
        var intruder = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var link = (await Keys(k => k.OpenLinkAsync(owner.Principal)))!;

        var joined = await Keys(k => k.JoinLinkAsync(intruder.Principal, link.Code, newBrowser.Jwk));

        Assert.False(joined.IsSuccess);
        Assert.Equal(LinkStage.WaitingForNewDevice, link.Stage);
    }

    [Fact]
    public async Task Link_NewBrowserSignatureByAnotherKey_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        using var impostor = new TestBrowserKey();
        var link = (await Keys(k => k.OpenLinkAsync(patient.Principal)))!;
        var body = (await Keys(k => k.JoinLinkAsync(patient.Principal, link.Code, newBrowser.Jwk))).ValueOrThrow();

        var joined = await Keys(k => k.SubmitLinkSignatureAsync(patient.Principal, impostor.Sign(TxType.KeyAdd, body)));

        Assert.Equal(LedgerError.BadSignature, joined.Error);
        Assert.Equal(LinkStage.WaitingForNewDevice, link.Stage);
    }

    [Fact]
    public async Task Revoke_AnotherKey_IsSignedByThisBrowserAndLands()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var second = new TestBrowserKey();
        await LinkAsync(patient, second);

        var draft = (await Keys(k => k.DraftRevokeAsync(patient.Principal, second.Kid))).ValueOrThrow();
        var outcome = await Keys(k => k.RevokeAsync(patient.Principal, draft, patient.Key!.Jwk, patient.Key.Sign(TxType.KeyRevoke, draft)));

        Assert.True(outcome.IsOk, outcome.Message);
        Assert.Equal(outcome.Value, Ledger.State.Key(second.Kid)!.RevokedHeight);
        Assert.True(Ledger.State.Key(patient.Key!.Kid)!.IsActive);
    }

    [Fact]
    public async Task Revoke_TheLastKey_IsRefusedBeforeAnythingIsSigned()
    {
        var patient = await portal.RegisteredPatientAsync();

        var draft = await Keys(k => k.DraftRevokeAsync(patient.Principal, patient.Key!.Kid));

        Assert.Equal(LedgerError.LastKey, draft.Error);
        Assert.Contains("only active key", draft.Message);
    }

    [Fact]
    public async Task Load_MarksARevokedBrowserKey()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var second = new TestBrowserKey();
        await LinkAsync(patient, second);
        var draft = (await Keys(k => k.DraftRevokeAsync(patient.Principal, patient.Key!.Kid))).ValueOrThrow();
        Assert.True((await Keys(k => k.RevokeAsync(patient.Principal, draft, second.Jwk, second.Sign(TxType.KeyRevoke, draft)))).IsOk);

        var view = (await Keys(k => k.LoadAsync(patient.Principal)))!;

        Assert.Equal(BrowserKeyState.Revoked, view.StateOf(patient.Key!.Jwk));
        Assert.Equal(BrowserKeyState.Active, view.StateOf(second.Jwk));
        Assert.Equal(BrowserKeyState.NotOnLedger, view.StateOf(new TestBrowserKey().Jwk));
        Assert.Equal(BrowserKeyState.None, view.StateOf(null));
    }

    [Fact]
    public async Task KeyCheck_VerifiesAnActiveKeyAndRefusesAnotherKey()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var stranger = new TestBrowserKey();
        var challenge = (await Keys(k => k.NewKeyCheckAsync(patient.Principal)))!;

        var good = await Keys(k => k.VerifyKeyCheckAsync(patient.Principal, challenge, patient.Key!.Jwk, patient.Key.Sign(PatientKeys.KeyCheckType, challenge)));
        var bad = await Keys(k => k.VerifyKeyCheckAsync(patient.Principal, challenge, stranger.Jwk, stranger.Sign(PatientKeys.KeyCheckType, challenge)));
        var forged = await Keys(k => k.VerifyKeyCheckAsync(patient.Principal, challenge, patient.Key!.Jwk, stranger.Sign(PatientKeys.KeyCheckType, challenge)));

        Assert.True(good.IsOk, good.Message);
        Assert.False(bad.IsOk);
        Assert.False(forged.IsOk);
    }

    [Fact]
    public async Task DemoEnrolment_LinksADemoPatientsBrowserWithTheServerHeldKey()
    {
        var demo = DemoData.Patients[1];
        var principal = await portal.PrincipalOfAsync(demo.Email);
        using var browser = new TestBrowserKey();
        var view = (await Keys(k => k.LoadAsync(principal)))!;
        Assert.True(view.DemoEnrolmentAvailable);
        Assert.Contains(view.Keys, k => k.IsDemoEnrolment && k.IsActive);

        var body = (await Keys(k => k.DraftDemoLinkAsync(principal, browser.Jwk))).ValueOrThrow();
        var outcome = await Keys(k => k.CompleteDemoLinkAsync(principal, body, browser.Sign(TxType.KeyAdd, body)));

        Assert.True(outcome.IsOk, outcome.Message);
        Assert.True(Ledger.State.Key(browser.Kid)!.IsActive);
        Assert.Equal(view.Mpi, Ledger.State.Key(browser.Kid)!.Mpi);
    }

    [Fact]
    public async Task DemoEnrolment_IsNotOfferedToAPatientWhoRegisteredThemselves()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var browser = new TestBrowserKey();

        var view = (await Keys(k => k.LoadAsync(patient.Principal)))!;
        var draft = await Keys(k => k.DraftDemoLinkAsync(patient.Principal, browser.Jwk));

        Assert.False(view.DemoEnrolmentAvailable);
        Assert.False(draft.IsSuccess);
    }

    [Fact]
    public async Task Load_ForStaff_GivesNothing()
    {
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager));

        Assert.Null(await Keys(k => k.LoadAsync(staff)));
        Assert.Null(await Keys(k => k.OpenLinkAsync(staff)));
    }

    private async Task LinkAsync(TestPatient patient, TestBrowserKey newBrowser)
    {
        var link = (await Keys(k => k.OpenLinkAsync(patient.Principal)))!;
        var body = (await Keys(k => k.JoinLinkAsync(patient.Principal, link.Code, newBrowser.Jwk))).ValueOrThrow();
        Assert.True((await Keys(k => k.SubmitLinkSignatureAsync(patient.Principal, newBrowser.Sign(TxType.KeyAdd, body)))).IsSuccess);
        var outcome = await Keys(k => k.ApproveLinkAsync(patient.Principal, link.Id, patient.Key!.Jwk, patient.Key.Sign(TxType.KeyAdd, link.Body!)));
        Assert.True(outcome.IsOk, outcome.Message);
    }
}
