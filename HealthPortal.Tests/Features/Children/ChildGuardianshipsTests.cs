using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Children;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Children;

/// <summary>
/// A guardian registers a child, a facility's staff attest it, the guardian signs the guardianship and acts for the
/// child (issue 14), on the test portal's real ledger with a .NET key for the guardian's browser.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ChildGuardianshipsTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Service<T>(Func<ChildGuardianships, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<ChildGuardianships>()));

    private static ChildInput Child(string name, int ageYears = 3) =>
        new() { FullName = name, BirthDate = DateTime.UtcNow.Date.AddYears(-ageYears).AddDays(-10), Sex = Sex.Female };

    [Fact]
    public async Task Register_Attest_Sign_ThenTheGuardianActsForTheChild()
    {
        var mother = await portal.RegisteredPatientAsync();
        var registered = await Service(s => s.RegisterAsync(mother.Principal, Child("Nilar Test")));
        Assert.True(registered.IsOk, registered.Message);
        Assert.Equal(ChildStatus.WaitingForFacility, registered.Value!.Status);
        Assert.Null(registered.Value.Mpi); // nothing on the ledger before a facility saw the documents

        var staff = await portal.StaffOfAsync(Lakeview);
        var desk = await Service(s => s.AtDeskAsync(staff, Lakeview, mother.Mpi!));
        Assert.True(desk.IsOk, desk.Message);
        var waiting = Assert.Single(desk.Value!.Children);
        var attested = await Service(s => s.AttestAsync(staff, Lakeview, waiting.Id, GuardianshipDocuments.BirthCertificate, seenInPerson: true));
        Assert.True(attested.IsOk, attested.Message);
        var childMpi = attested.Value!.Mpi!;
        var onLedger = Host.Reader.Patient(childMpi);
        Assert.NotNull(onLedger);
        Assert.Empty(Host.Reader.KeysOf(childMpi)); // keyless: the child signs nothing yet

        var draft = await Service(s => s.DraftGuardianshipAsync(mother.Principal, waiting.Id));
        Assert.True(draft.IsOk, draft.Message);
        var body = draft.Value!.Body;
        var signed = await Service(s => s.SignGuardianshipAsync(mother.Principal, waiting.Id, body, mother.Key!.Jwk, mother.Key.Sign(TxType.DelegationIssue, body)));

        Assert.True(signed.IsOk, signed.Message);
        var delegation = Host.Reader.Delegation(signed.Value!)!;
        Assert.Equal((childMpi, mother.Mpi, DelegationKinds.Guardian), (delegation.Mpi, delegation.Delegate, delegation.Kind));
        var facility = await portal.QueryAsync(db => db.Facilities.SingleAsync(f => f.Id == Lakeview));
        Assert.Equal(facility.NodeKeyId, delegation.Facility);
        Assert.Equal(DelegationPowers.All, delegation.Powers);
        Assert.Equal(ChildStatus.Active, Assert.Single(await Service(s => s.MineAsync(mother.Principal))).Status);
        var choice = (await portal.Services.GetRequiredService<DelegateAccess>().ChoicesAsync(mother.Principal)).Single(c => c.Mpi == childMpi);
        Assert.Equal(("Nilar Test", "you are their guardian"), (choice.Name, choice.Relation));
        var timeline = await portal.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineForAsync(mother.Principal, childMpi));
        Assert.Equal(childMpi, timeline!.Mpi);
    }

    [Fact]
    public async Task Register_NamesEveryBadField_AndAGrownUpRegistersThemselves()
    {
        var mother = await portal.RegisteredPatientAsync();

        var empty = await Service(s => s.RegisterAsync(mother.Principal, new ChildInput()));
        var grownUp = await Service(s => s.RegisterAsync(mother.Principal, Child("Old Enough", ageYears: 18)));
        var future = await Service(s => s.RegisterAsync(mother.Principal, new ChildInput { FullName = "Not Born", BirthDate = DateTime.UtcNow.AddDays(30), Sex = Sex.Male }));

        Assert.Equal([ChildGuardianships.NameField, ChildGuardianships.BirthDateField, ChildGuardianships.SexField], empty.Fields.Select(f => f.Field));
        Assert.Contains("From 18", Assert.Single(grownUp.Fields).Message);
        Assert.Equal(ChildGuardianships.BirthDateField, Assert.Single(future.Fields).Field);
        Assert.Empty(await Service(s => s.MineAsync(mother.Principal)));
    }

    [Fact]
    public async Task OnlyStaffAttest_OnlyAfterSeeingTheDocuments_AndOnlyTheGuardianSigns()
    {
        var mother = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var child = (await Service(s => s.RegisterAsync(mother.Principal, Child("Kyaw Test")))).Value!;
        var staff = await portal.StaffOfAsync(Lakeview);
        var before = Host.Engine.TransactionCount;

        var byPatient = await Service(s => s.AttestAsync(mother.Principal, Lakeview, child.Id, GuardianshipDocuments.HouseholdList, true));
        var unseen = await Service(s => s.AttestAsync(staff, Lakeview, child.Id, GuardianshipDocuments.HouseholdList, false));
        var earlyDraft = await Service(s => s.DraftGuardianshipAsync(mother.Principal, child.Id));

        Assert.Equal(ChildError.Forbidden, byPatient.Error);
        Assert.Equal(ChildError.Invalid, unseen.Error);
        Assert.Equal(ChildError.WrongStep, earlyDraft.Error);
        Assert.Equal(before, Host.Engine.TransactionCount);

        Assert.True((await Service(s => s.AttestAsync(staff, Lakeview, child.Id, GuardianshipDocuments.HouseholdList, true))).IsOk);
        var strangers = await Service(s => s.DraftGuardianshipAsync(stranger.Principal, child.Id));
        Assert.Equal(ChildError.NotFound, strangers.Error);
        // The mother's body signed by another patient's key is refused before the ledger sees it.
        var body = (await Service(s => s.DraftGuardianshipAsync(mother.Principal, child.Id))).Value!.Body;
        var forged = await Service(s => s.SignGuardianshipAsync(mother.Principal, child.Id, body, stranger.Key!.Jwk, stranger.Key.Sign(TxType.DelegationIssue, body)));
        Assert.Equal(ChildError.Forbidden, forged.Error);
        Assert.Equal(ChildStatus.WaitingForGuardian, Assert.Single(await Service(s => s.MineAsync(mother.Principal))).Status);
    }
}
