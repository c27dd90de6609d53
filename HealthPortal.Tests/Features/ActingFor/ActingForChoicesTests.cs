using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Delegation;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.ActingFor;

/// <summary>
/// The "acting for" choice outlives the process that took it (kept in the account's Identity token row), and is
/// still only a preference: a choice that no delegation allows any more shows the signed-in patient's own records.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ActingForChoicesTests(PortalFactory portal)
{
    private ActingForChoices Fresh() => new(portal.Services.GetRequiredService<DelegateAccess>(), portal.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());

    private async Task<string> GiveAsync(TestPatient patient, TestPatient carer)
    {
        var input = new DelegationInput { Person = carer.Mpi!, Powers = [DelegationPowers.View], Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(30) };
        return await portal.WithScopeAsync(async s =>
        {
            var delegations = s.GetRequiredService<PatientDelegations>();
            var body = (await delegations.DraftIssueAsync(patient.Principal, input)).Value!.Body;
            var done = await delegations.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.DelegationIssue, body));
            Assert.True(done.IsOk, done.Message);
            return done.Value!.DelegationId;
        });
    }

    [Fact]
    public async Task TheChoice_IsKeptAcrossARestart_InTheAccountsTokenRow()
    {
        var mother = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await GiveAsync(mother, son);

        Assert.True(await Fresh().ChooseAsync(son.Principal, mother.Mpi!));

        // A new instance has an empty memory, as after a restart: the database row answers.
        var subject = await Fresh().SubjectAsync(son.Principal);
        Assert.Equal((mother.Mpi, false), (subject!.Mpi, subject.IsSelf));
        var row = await portal.QueryAsync(db => db.UserTokens.SingleAsync(t => t.UserId == son.UserId && t.LoginProvider == ActingForChoices.TokenProvider));
        Assert.Equal(mother.Mpi, row.Value);
        // A token row is no claim: it never rides in the sign-in cookie.
        Assert.False(await portal.QueryAsync(db => db.UserClaims.AnyAsync(c => c.UserId == son.UserId && c.ClaimValue == mother.Mpi)));
    }

    [Fact]
    public async Task AKeptChoice_WithoutADelegationInForce_ShowsTheAccountsOwnRecords()
    {
        var mother = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        await GiveAsync(mother, son);
        Assert.True(await Fresh().ChooseAsync(son.Principal, mother.Mpi!));
        // Planted as if forged or left over: a row naming someone who never gave this account anything.
        await portal.QueryAsync(async db =>
        {
            var row = await db.UserTokens.SingleAsync(t => t.UserId == son.UserId && t.LoginProvider == ActingForChoices.TokenProvider);
            row.Value = stranger.Mpi;
            return await db.SaveChangesAsync();
        });

        var subject = await Fresh().SubjectAsync(son.Principal);

        Assert.True(subject!.IsSelf);
        Assert.Equal(son.Mpi, subject.Mpi);
        Assert.False(await Fresh().ChooseAsync(son.Principal, stranger.Mpi!));
    }
}
