using HealthPortal.Features.Grants;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>
/// A caregiver with the <c>share</c> power gives and revokes grants for the person they act for, with their own key
/// (issue 14); without the power the server refuses before the ledger. Real portal, real ledger.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DelegateGrantsTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private static GrantInput Input() => new()
    {
        FacilityId = Lakeview, Kinds = [RecordKinds.LabResult], Purpose = GrantPurposes.Treatment, Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(7),
    };

    private Task<T> Grants<T>(Func<PatientGrants, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientGrants>()));

    [Fact]
    public async Task ACaregiverWithTheSharePower_GrantsAndRevokesForTheFather_SignedWithTheirOwnKey()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Share);

        var draft = await Grants(g => g.DraftIssueAsync(son.Principal, Input(), forMpi: father.Mpi));
        Assert.True(draft.IsOk, draft.Message);
        var body = draft.Value!.Body;
        Assert.Equal((father.Mpi, delegation), ((string?)body["mpi"], (string?)body["delegation"]));
        var issued = await Grants(g => g.IssueAsync(son.Principal, body, son.Key!.Jwk, son.Key.Sign(TxType.GrantIssue, body)));

        Assert.True(issued.IsOk, issued.Message);
        var grant = Host.Reader.Grant(issued.Value!.GrantId)!;
        Assert.Equal(father.Mpi, grant.Mpi);
        var act = Assert.Single(Host.Reader.DelegatedActsOf(father.Mpi!));
        Assert.Equal((grant.Id, son.Mpi, son.Key!.Kid, DelegationPowers.Share), (act.TxId, act.Delegate, act.Signer, act.Power));

        var revoke = (await Grants(g => g.DraftRevokeAsync(son.Principal, grant.Id))).Value!;
        Assert.Equal(delegation, (string?)revoke["delegation"]);
        var revoked = await Grants(g => g.RevokeAsync(son.Principal, revoke, son.Key.Jwk, son.Key.Sign(TxType.GrantRevoke, revoke)));
        Assert.True(revoked.IsOk, revoked.Message);
        Assert.NotNull(Host.Reader.Grant(grant.Id)!.RevokedHeight);
    }

    [Fact]
    public async Task WithoutTheSharePower_TheServerRefuses_AndNothingReachesTheLedger()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await portal.GiveDelegationAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);

        var draft = await Grants(g => g.DraftIssueAsync(son.Principal, Input(), forMpi: father.Mpi));
        // A body made elsewhere (the father's own draft with the son's delegation added) is refused too.
        var own = (await Grants(g => g.DraftIssueAsync(father.Principal, Input()))).Value!.Body;
        own["delegation"] = delegation;
        var issued = await Grants(g => g.IssueAsync(son.Principal, own, son.Key!.Jwk, son.Key.Sign(TxType.GrantIssue, own)));
        var plain = (await Grants(g => g.DraftIssueAsync(father.Principal, Input()))).Value!.Body;
        var asFather = await Grants(g => g.IssueAsync(son.Principal, plain, son.Key!.Jwk, son.Key.Sign(TxType.GrantIssue, plain)));

        Assert.Equal(LedgerError.PowerNotDelegated, draft.Error);
        Assert.Equal(LedgerError.PowerNotDelegated, issued.Error);
        Assert.Equal(LedgerError.SignerNotAuthorized, asFather.Error);
        Assert.Empty(Host.Reader.GrantsOf(father.Mpi!));
        Assert.Empty(Host.Reader.DelegatedActsOf(father.Mpi!));
    }
}
