using System.Net;
using System.Security.Cryptography;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.ShareLinks;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.ShareLinks;

/// <summary>
/// Share links made for someone else (issue 14): a delegate holding the view and share powers in force now makes,
/// lists and revokes the person's links with the person's records only; without the share power, after the
/// delegation's end or its revocation, every request is refused; the person sees and revokes what the delegate made.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DelegateShareLinksTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private readonly string _jwe = ShlJwe.Encrypt(RandomNumberGenerator.GetBytes(32), "{}"u8);

    private LedgerHost Ledger => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Links<T>(Func<PatientShareLinks, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientShareLinks>()));

    private static ShareLinkInput Input(string label = "For Dr. Tan") => new(label, DateTimeOffset.UtcNow.AddDays(1), null);

    /// <summary>A clinic visit saved at Lakeview and co-signed by the patient; its anchor's transaction id.</summary>
    private async Task<string> AnchoredVisitAsync(TestPatient patient)
    {
        var visit = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(9), Clinician = "Dr. Test", ChiefComplaint = "Cough", Findings = "Mild bronchitis." };
        var saved = await portal.Services.GetRequiredService<ClinicRecords>().RecordVisitAsync(Lakeview, patient.Mpi!, visit, "staff@test");
        Assert.True(saved.IsOk, saved.Message);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. saved.Value!.Records]);
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);
        Assert.True(outcome.Succeeded, outcome.Error);
        return Ledger.Reader.RecordsOfPerson(patient.Mpi!).First().TxId;
    }

    private async Task<string> MakeLinkAsync(TestPatient caller, string? forMpi)
    {
        var made = await Links(l => l.CreateAsync(caller.Principal, forMpi, Input(), _jwe, 1, "https://portal.test"));
        Assert.True(made.IsOk, made.Message);
        return made.Value!.Id;
    }

    private Task RevokeDelegationAsync(TestPatient patient, string delegationId) => portal.RevokeDelegationAsync(patient, delegationId);

    [Fact]
    public async Task DelegateWithShare_MakesALinkOfThePersonsRecord_ThePersonSeesWhoMadeIt_AndRevokesIt()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var record = await AnchoredVisitAsync(father);
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);

        var subject = await Links(l => l.SubjectAsync(son.Principal, father.Mpi));
        var bundle = await Links(l => l.BundleJsonAsync(son.Principal, father.Mpi, [record]));
        var id = await MakeLinkAsync(son, father.Mpi);

        Assert.Equal((father.Mpi, false, son.Mpi), (subject.Value!.Mpi, subject.Value.IsSelf, subject.Value.CallerMpi));
        Assert.True(bundle.IsOk, bundle.Message);
        Assert.Contains(Ledger.Reader.RecordsOfPerson(father.Mpi!).First().RecordId, bundle.Value);
        var stored = await portal.Services.GetRequiredService<ShareLinkStore>().FindAsync(id);
        Assert.Equal((father.Mpi, son.Mpi, son.UserId), (stored!.Mpi, stored.MadeBy, stored.OwnerUserId));

        var sonsName = await NameOfAsync(son);
        var fathersList = await Links(l => l.ListAsync(father.Principal, null));
        var listed = Assert.Single(fathersList, s => s.Link.Id == id);
        Assert.Equal(sonsName, listed.MadeByName);
        Assert.Contains(await Links(l => l.ListAsync(son.Principal, father.Mpi)), s => s.Link.Id == id);
        Assert.DoesNotContain(await Links(l => l.ListAsync(son.Principal, null)), s => s.Link.Id == id);

        var history = await portal.WithScopeAsync(s => s.GetRequiredService<IShareLinkOpenings>().MineAsync(father.Principal));
        Assert.Contains(history, o => o.ByDelegate && o.Outcome == $"Made by {sonsName} for you" && o.LinkLabel == "For Dr. Tan");

        var revoked = await Links(l => l.RevokeAsync(father.Principal, null, id));
        Assert.True(revoked.IsOk, revoked.Message);
        Assert.Equal(ShareLinkStatus.Revoked, (await portal.Services.GetRequiredService<ShareLinkStore>().FindAsync(id))!.StatusAt(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task DelegateWithShare_RevokesTheLink_AndThePersonsHistoryNamesThem()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var id = await MakeLinkAsync(father, null);

        var revoked = await Links(l => l.RevokeAsync(son.Principal, father.Mpi, id));

        Assert.True(revoked.IsOk, revoked.Message);
        var stored = await portal.Services.GetRequiredService<ShareLinkStore>().FindAsync(id);
        Assert.Equal(son.Mpi, stored!.RevokedBy);
        var sonsName = await NameOfAsync(son);
        var history = await portal.WithScopeAsync(s => s.GetRequiredService<IShareLinkOpenings>().MineAsync(father.Principal));
        Assert.Contains(history, o => o.ByDelegate && o.Outcome == $"Revoked by {sonsName} for you");
    }

    [Fact]
    public async Task DelegateWithoutShare_IsRefusedEverything_AndNoLinkIsStored()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var record = await AnchoredVisitAsync(father);
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);

        var subject = await Links(l => l.SubjectAsync(son.Principal, father.Mpi));
        var choices = await Links(l => l.ChoicesAsync(son.Principal, father.Mpi));
        var bundle = await Links(l => l.BundleJsonAsync(son.Principal, father.Mpi, [record]));
        var made = await Links(l => l.CreateAsync(son.Principal, father.Mpi, Input(), _jwe, 1, "https://portal.test"));

        Assert.Equal(ShareLinkError.Forbidden, subject.Error);
        Assert.Contains("does not allow sharing", subject.Message);
        Assert.Equal(ShareLinkError.Forbidden, choices.Error);
        Assert.Equal(ShareLinkError.Forbidden, bundle.Error);
        Assert.Equal(ShareLinkError.Forbidden, made.Error);
        Assert.Empty(await portal.Services.GetRequiredService<ShareLinkStore>().OfMpiAsync(father.Mpi!));
        Assert.Empty(await Links(l => l.ListAsync(son.Principal, father.Mpi)));
    }

    [Fact]
    public async Task AfterTheDelegationIsRevoked_TheDelegateIsRefused_ThePersonsLinkStays()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var record = await AnchoredVisitAsync(father);
        var delegation = await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var id = await MakeLinkAsync(son, father.Mpi);

        await RevokeDelegationAsync(father, delegation);

        Assert.Equal(ShareLinkError.Forbidden, (await Links(l => l.BundleJsonAsync(son.Principal, father.Mpi, [record]))).Error);
        Assert.Equal(ShareLinkError.Forbidden, (await Links(l => l.CreateAsync(son.Principal, father.Mpi, Input(), _jwe, 1, "https://portal.test"))).Error);
        Assert.Equal(ShareLinkError.Forbidden, (await Links(l => l.RevokeAsync(son.Principal, father.Mpi, id))).Error);
        Assert.Empty(await Links(l => l.ListAsync(son.Principal, father.Mpi)));
        Assert.Equal(ShareLinkStatus.Active, Assert.Single(await Links(l => l.ListAsync(father.Principal, null))).Status);
    }

    [Fact]
    public async Task AfterTheDelegationsEnd_TheDelegateIsRefused()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        // The delegation runs 30 days (DelegationKit): the same services a day after its end.
        var later = new ManualClock(DateTimeOffset.UtcNow.AddDays(31));

        var refused = await portal.WithScopeAsync(s =>
        {
            var access = new DelegateAccess(s.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(), Ledger, later);
            var links = new PatientShareLinks(s.GetRequiredService<PatientRecords>(), s.GetRequiredService<ShareLinkStore>(), later,
                s.GetRequiredService<IOptions<ShareLinkOptions>>(), access);
            return links.SubjectAsync(son.Principal, father.Mpi);
        });
        var today = await Links(l => l.SubjectAsync(son.Principal, father.Mpi));

        Assert.Equal(ShareLinkError.Forbidden, refused.Error);
        Assert.True(today.IsOk, today.Message);
    }

    [Fact]
    public async Task NeitherWayRound_DoTheDelegatesAndThePersonsRecordsMix()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var fathers = await AnchoredVisitAsync(father);
        var sons = await AnchoredVisitAsync(son);
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);

        var sonsInFathersLink = await Links(l => l.BundleJsonAsync(son.Principal, father.Mpi, [fathers, sons]));
        var fathersInSonsOwnLink = await Links(l => l.BundleJsonAsync(son.Principal, null, [sons, fathers]));

        Assert.Equal(ShareLinkError.Forbidden, sonsInFathersLink.Error);
        Assert.Equal(ShareLinkError.Forbidden, fathersInSonsOwnLink.Error);
        Assert.True((await Links(l => l.BundleJsonAsync(son.Principal, null, [sons]))).IsOk);
    }

    [Fact]
    public async Task AnotherPersonsLinkId_IsNotFound_AndStaysOpen()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var strangers = await MakeLinkAsync(stranger, null);
        var sonsOwn = await MakeLinkAsync(son, null);

        Assert.Equal(ShareLinkError.NotFound, (await Links(l => l.RevokeAsync(son.Principal, father.Mpi, strangers))).Error);
        Assert.Equal(ShareLinkError.NotFound, (await Links(l => l.RevokeAsync(son.Principal, father.Mpi, sonsOwn))).Error);
        Assert.Equal(ShareLinkError.NotFound, (await Links(l => l.RevokeAsync(father.Principal, null, sonsOwn))).Error);
        Assert.Equal(ShareLinkError.Forbidden, (await Links(l => l.RevokeAsync(stranger.Principal, father.Mpi, sonsOwn))).Error);
        var store = portal.Services.GetRequiredService<ShareLinkStore>();
        Assert.Null((await store.FindAsync(strangers))!.RevokedAt);
        Assert.Null((await store.FindAsync(sonsOwn))!.RevokedAt);
    }

    [Fact]
    public async Task ALinkRevokedElsewhere_APageStillOpenOnIt_SeesItRevokedOnItsNextAction_AndTheFirstRevocationStands()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);
        var id = await MakeLinkAsync(father, null);
        // The son's share page for his father lists the link as active; then the father revokes it in his own browser.
        Assert.Equal(ShareLinkStatus.Active, Assert.Single(await Links(l => l.ListAsync(son.Principal, father.Mpi))).Status);
        Assert.True((await Links(l => l.RevokeAsync(father.Principal, null, id))).IsOk);
        var first = (await portal.Services.GetRequiredService<ShareLinkStore>().FindAsync(id))!.RevokedAt;

        // The son's next action on his open page: Revoke on the stale row. Nothing is revoked twice; the page re-lists it as revoked.
        var again = await Links(l => l.RevokeAsync(son.Principal, father.Mpi, id));
        var listed = Assert.Single(await Links(l => l.ListAsync(son.Principal, father.Mpi)));

        Assert.True(again.IsOk, again.Message);
        Assert.Equal(ShareLinkStatus.Revoked, listed.Status);
        var stored = await portal.Services.GetRequiredService<ShareLinkStore>().FindAsync(id);
        Assert.Equal(first, stored!.RevokedAt);
        Assert.Null(stored.RevokedBy);
    }

    [Fact]
    public async Task BundleEndpoint_ForThePerson_ServesWithTheSharePower_And403WithoutIt()
    {
        var father = await portal.RegisteredPatientAsync();
        var sharer = await portal.RegisteredPatientAsync();
        var viewer = await portal.RegisteredPatientAsync();
        var record = await AnchoredVisitAsync(father);
        await portal.GiveDelegationAsync(father, sharer, DelegationPowers.View, DelegationPowers.Share);
        await portal.GiveDelegationAsync(father, viewer, DelegationPowers.View);
        var url = $"{ShareLinksExtensions.BundlePath}?tx={Uri.EscapeDataString(record)}&for={Uri.EscapeDataString(father.Mpi!)}";

        var served = await (await portal.SignInAsync(sharer.Email)).GetAsync(url);
        var refused = await (await portal.SignInAsync(viewer.Email)).GetAsync(url);
        var withoutFor = await (await portal.SignInAsync(sharer.Email)).GetAsync($"{ShareLinksExtensions.BundlePath}?tx={Uri.EscapeDataString(record)}");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("application/fhir+json", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("does not allow sharing", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, withoutFor.StatusCode);
    }

    private async Task<string> NameOfAsync(TestPatient patient) =>
        (await portal.Services.GetRequiredService<DelegateAccess>().NamesAsync([patient.Mpi!]))[patient.Mpi!];
}
