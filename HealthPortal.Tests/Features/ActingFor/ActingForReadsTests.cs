using HealthPortal.Features.Access;
using HealthPortal.Features.Patient.Summary;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.ActingFor;

/// <summary>
/// The health summary and the access history of a person acted for (issue 14): allowed to a delegate holding the view
/// power now, refused to anyone else and after a revocation, decided by the services, not the pages.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ActingForReadsTests(PortalFactory portal)
{
    private Task<T> Summaries<T>(Func<HealthSummaries, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<HealthSummaries>()));

    private Task<T> AccessLog<T>(Func<PatientAccessLog, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientAccessLog>()));

    [Fact]
    public async Task ADelegateWithView_ReadsThePersonsSummaryAndAccessHistory_AStrangerDoesNot()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, son, DelegationPowers.View);

        var sons = await Summaries(s => s.OfAsync(son.Principal, father.Mpi!));
        var strangers = await Summaries(s => s.OfAsync(stranger.Principal, father.Mpi!));
        var sonsLog = await AccessLog(a => a.AuditEventsAsync(son.Principal, father.Mpi!));
        var strangersLog = await AccessLog(a => a.AuditEventsAsync(stranger.Principal, father.Mpi!));

        Assert.Equal(father.Mpi, sons!.Mpi);
        Assert.Null(strangers);
        Assert.NotNull(sonsLog);
        Assert.Null(strangersLog);
    }

    [Fact]
    public async Task WithoutTheViewPower_OrAfterRevocation_NothingIsRead()
    {
        var father = await portal.RegisteredPatientAsync();
        var cosigner = await portal.RegisteredPatientAsync();
        var viewer = await portal.RegisteredPatientAsync();
        await portal.GiveDelegationAsync(father, cosigner, DelegationPowers.Cosign);
        var delegation = await portal.GiveDelegationAsync(father, viewer, DelegationPowers.View);
        await portal.WithScopeAsync(async s =>
        {
            var delegations = s.GetRequiredService<HealthPortal.Features.Delegation.PatientDelegations>();
            var draft = await delegations.DraftRevokeAsync(father.Principal, delegation);
            Assert.True(draft.IsOk, draft.Message);
            var done = await delegations.RevokeAsync(father.Principal, draft.Value!, father.Key!.Jwk, father.Key.Sign(TxType.DelegationRevoke, draft.Value!));
            Assert.True(done.IsOk, done.Message);
            return 0;
        });

        Assert.Null(await Summaries(s => s.OfAsync(cosigner.Principal, father.Mpi!)));
        Assert.Null(await AccessLog(a => a.AuditEventsAsync(cosigner.Principal, father.Mpi!)));
        Assert.Null(await Summaries(s => s.OfAsync(viewer.Principal, father.Mpi!)));
        Assert.Null(await AccessLog(a => a.AuditEventsAsync(viewer.Principal, father.Mpi!)));
    }
}
