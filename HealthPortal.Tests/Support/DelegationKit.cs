using HealthPortal.Features.Delegation;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Support;

/// <summary>Delegations between test patients, given through the portal's own flow.</summary>
public static class DelegationKit
{
    /// <summary><paramref name="patient"/> gives <paramref name="carer"/> a caregiver delegation with these powers for 30 days; returns its id.</summary>
    public static Task<string> GiveDelegationAsync(this PortalFactory portal, TestPatient patient, TestPatient carer, params string[] powers)
    {
        var input = new DelegationInput { Person = carer.Mpi!, Powers = [.. powers], Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(30) };
        return portal.WithScopeAsync(async s =>
        {
            var delegations = s.GetRequiredService<PatientDelegations>();
            var draft = await delegations.DraftIssueAsync(patient.Principal, input);
            Assert.True(draft.IsOk, draft.Message);
            var body = draft.Value!.Body;
            var done = await delegations.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.DelegationIssue, body));
            Assert.True(done.IsOk, done.Message);
            return done.Value!.DelegationId;
        });
    }

    /// <summary><paramref name="patient"/> revokes the delegation <paramref name="delegationId"/>, signed with their key, through the portal's flow.</summary>
    public static Task RevokeDelegationAsync(this PortalFactory portal, TestPatient patient, string delegationId) => portal.WithScopeAsync(async s =>
    {
        var delegations = s.GetRequiredService<PatientDelegations>();
        var draft = await delegations.DraftRevokeAsync(patient.Principal, delegationId);
        Assert.True(draft.IsOk, draft.Message);
        var done = await delegations.RevokeAsync(patient.Principal, draft.Value!, patient.Key!.Jwk, patient.Key.Sign(TxType.DelegationRevoke, draft.Value!));
        Assert.True(done.IsOk, done.Message);
        return 0;
    });
}
