using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Children;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Demo;

/// <summary>
/// Issue 14's demo family on the test portal's real ledger, as demo seeding left it at start: a mother who is the
/// attested guardian of a keyless child with anchored records and a visit waiting, and a son with the view, share and co-sign
/// powers for his father, whose visit waits too. Seeding again adds nothing.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DemoFamilySeederTests(PortalFactory portal)
{
    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<string> MpiOfAsync(string fullName) =>
        portal.QueryAsync(db => db.PatientProfiles.Where(p => p.FullName == fullName).Select(p => p.MpiNumber!).SingleAsync());

    private Task<string> NodeOfAsync(string facilityId) =>
        portal.QueryAsync(db => db.Facilities.Where(f => f.Id == facilityId).Select(f => f.NodeKeyId!).SingleAsync());

    [Fact]
    public async Task TheDemoChild_IsKeyless_AttestedByRiverside_UnderHerMothersGuardianship()
    {
        var mother = await MpiOfAsync(DemoData.Mother.FullName);
        var child = await MpiOfAsync(DemoData.MothersChild.FullName);

        var registration = await portal.QueryAsync(db => db.Set<ChildRegistration>().SingleAsync(r => r.DelegationId != null
            && db.PatientProfiles.Any(p => p.UserId == r.ChildUserId && p.MpiNumber == child)));
        Assert.Equal((DemoFamilySeeder.ChildFacility, GuardianshipDocuments.BirthCertificate), (registration.FacilityId, registration.DocumentsCode));
        Assert.NotNull(Host.Reader.Patient(child));
        Assert.Empty(Host.Reader.KeysOf(child));
        var guardianship = Host.Reader.Delegation(registration.DelegationId!)!;
        Assert.Equal((child, mother, DelegationKinds.Guardian, await NodeOfAsync(DemoFamilySeeder.ChildFacility)),
            (guardianship.Mpi, guardianship.Delegate, guardianship.Kind, guardianship.Facility));
        Assert.True(guardianship.IsActiveAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        // The child cannot sign in: the account holding her profile has no e-mail and no password.
        var holder = await portal.QueryAsync(db => db.Users.SingleAsync(u => u.Id == registration.ChildUserId));
        Assert.Null(holder.Email);
        Assert.Null(holder.PasswordHash);
    }

    [Fact]
    public async Task TheGrownUpDaughter_IsPastTheTakeoverAge_KeylessUnderARunningGuardianship_WithAVisitHerMotherCosigned()
    {
        var mother = await MpiOfAsync(DemoData.Mother.FullName);
        var daughter = await MpiOfAsync(DemoData.GrownChildName);
        var born = await portal.QueryAsync(db => db.PatientProfiles.Where(p => p.MpiNumber == daughter).Select(p => p.BirthDate).SingleAsync());
        var registration = await portal.QueryAsync(db => db.Set<ChildRegistration>().SingleAsync(r => db.PatientProfiles.Any(p => p.UserId == r.ChildUserId && p.MpiNumber == daughter)));

        Assert.True(born.AddYears(18) <= DateOnly.FromDateTime(DateTime.UtcNow)); // the takeover can be tried at once
        Assert.Empty(Host.Reader.KeysOf(daughter));
        var guardianship = Host.Reader.Delegation(registration.DelegationId!)!;
        Assert.Equal((daughter, mother, DelegationKinds.Guardian), (guardianship.Mpi, guardianship.Delegate, guardianship.Kind));
        Assert.True(guardianship.IsActiveAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var cosigned = Host.Reader.DelegatedActsOf(daughter);
        Assert.NotEmpty(cosigned);
        Assert.All(cosigned, a => Assert.Equal((mother, DelegationPowers.Cosign), (a.Delegate, a.Power)));
        Assert.Null(registration.TakeoverAccountAt);
    }

    [Fact]
    public async Task TheDemoChild_HasRiversideRecordsCosignedByHerMother_AndALakeviewVisitWaiting()
    {
        var mother = await MpiOfAsync(DemoData.Mother.FullName);
        var child = await MpiOfAsync(DemoData.MothersChild.FullName);
        var riverside = await NodeOfAsync(DemoFamilySeeder.ChildFacility);

        var anchored = Host.Reader.RecordsOf(child).Where(r => r.Facility == riverside).ToList();
        Assert.True(anchored.Count >= 2, $"{anchored.Count} Riverside records of the child");
        var acts = Host.Reader.DelegatedActsOf(child);
        Assert.All(anchored, r => Assert.Contains(acts, a => a.TxId == r.TxId && a.Delegate == mother && a.Power == DelegationPowers.Cosign));
        var waiting = await portal.QueryAsync(db => db.AnchorConfirmations.Where(c => c.Mpi == child && c.Status == AnchorStatus.Pending).ToListAsync());
        Assert.Equal(DemoFamilySeeder.VisitFacility, Assert.Single(waiting).FacilityId);
    }

    [Fact]
    public async Task TheDemoSon_MayViewAndCosignForHisFather_WhoseLakeviewVisitWaits()
    {
        var father = await MpiOfAsync(DemoData.Father.FullName);
        var son = await MpiOfAsync(DemoData.Son.FullName);

        var delegation = Assert.Single(Host.Reader.DelegationsOf(father), d => d.Mpi == father);
        Assert.Equal((son, DelegationKinds.Caregiver), (delegation.Delegate, delegation.Kind));
        Assert.Equal([DelegationPowers.View, DelegationPowers.Share, DelegationPowers.Cosign], delegation.Powers);
        Assert.NotEmpty(Host.Reader.RecordsOf(father));
        var waiting = await portal.QueryAsync(db => db.AnchorConfirmations.Where(c => c.Mpi == father && c.Status == AnchorStatus.Pending).ToListAsync());
        Assert.Equal(DemoFamilySeeder.VisitFacility, Assert.Single(waiting).FacilityId);
        var sonPrincipal = await portal.PrincipalOfAsync(DemoData.Son.Email);
        Assert.Single(await portal.Workflow(w => w.WaitingForAsync(sonPrincipal, father)));
    }

    [Fact]
    public async Task SeedingAgain_AddsNothing()
    {
        var transactions = Host.Engine.TransactionCount;
        var confirmations = await portal.QueryAsync(db => db.AnchorConfirmations.CountAsync());
        var children = await portal.QueryAsync(db => db.Set<ChildRegistration>().CountAsync());

        await portal.WithScopeAsync(async s =>
        {
            await s.GetRequiredService<DemoFamilySeeder>().SeedAsync();
            return 0;
        });

        Assert.Equal(transactions, Host.Engine.TransactionCount);
        Assert.Equal(confirmations, await portal.QueryAsync(db => db.AnchorConfirmations.CountAsync()));
        Assert.Equal(children, await portal.QueryAsync(db => db.Set<ChildRegistration>().CountAsync()));
    }

    [Fact]
    public void TheLoginPageSuggestsWhatToTry_ForEachFamilyAccount()
    {
        Assert.Equal([DemoData.Mother.Email, DemoData.Son.Email, DemoData.Father.Email], DemoData.FamilyAccounts.Select(a => a.Email));
        Assert.All(DemoData.FamilyAccounts, a => Assert.False(string.IsNullOrWhiteSpace(a.Try)));
        Assert.Contains(DemoData.FamilyAccounts, a => a.Try!.Contains(DemoData.MothersChild.FullName, StringComparison.Ordinal));
    }
}
