using HealthPortal.Features.Access;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Access;

/// <summary>
/// The patient's access history lists what a delegate signed in their name (ledger <c>delegated_acts</c>), with the
/// delegate's name from this node, and only to that patient.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DelegatedActsTests(PortalFactory portal)
{
    [Fact]
    public async Task AGrantSignedByACaregiver_IsListedInThePatientsHistory_AndToNobodyElse()
    {
        var parent = await portal.RegisteredPatientAsync();
        var carer = await portal.RegisteredPatientAsync();
        var ledger = portal.Services.GetRequiredService<LedgerHost>();
        var factory = new TransactionFactory();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var issue = factory.DelegationIssue(parent.Mpi!, carer.Mpi!, [DelegationPowers.View, DelegationPowers.Share], now - 1000, now + 86_400_000, DelegationKinds.Caregiver);
        var delegation = await ledger.Engine.SubmitAsync(issue.WithSignature(parent.Key!.Kid, Base64Url.Decode(parent.Key.Sign(issue.Type, issue.Body))));
        Assert.True(delegation.IsCommitted, delegation.ToString());
        var lakeview = await portal.QueryAsync(db => db.Facilities.Where(f => f.Id == "demo-lakeview").Select(f => f.NodeKeyId!).SingleAsync());
        var grant = TransactionFactory.OnBehalf(factory.GrantIssue(parent.Mpi!, lakeview, ["lab-result"], Purposes.Treatment, now, now + 86_400_000), delegation.Receipt!.TransactionId);
        var submitted = await ledger.Engine.SubmitAsync(grant.WithSignature(carer.Key!.Kid, Base64Url.Decode(carer.Key.Sign(grant.Type, grant.Body))));
        Assert.True(submitted.IsCommitted, submitted.ToString());

        var acts = await portal.WithScopeAsync(s => s.GetRequiredService<DelegatedActs>().ActsAsync(parent.Principal, parent.Mpi!));
        var stranger = await portal.WithScopeAsync(s => s.GetRequiredService<DelegatedActs>().ActsAsync(carer.Principal, parent.Mpi!));

        var act = Assert.Single(acts);
        Assert.Equal((carer.Mpi, submitted.Receipt!.TransactionId), (act.DelegateMpi, act.TxId));
        Assert.Equal($"Granted by {act.DelegateName} for you: {ledger.Reader.Node(lakeview)!.Name} may see your records under this grant", act.What);
        Assert.StartsWith("Test Patient", act.DelegateName);
        Assert.Empty(stranger);
    }
}
