using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>
/// A caregiver with the <c>cosign</c> power confirms a facility's save for the patient with their own key (issue 14):
/// the workflow checks the delegation on the ledger at every step, has the facility sign a body that names the
/// delegation, and the ledger records who signed for whom. Real portal, real ledger, a .NET key per browser.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DelegateCosignTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<string> GiveAsync(TestPatient patient, TestPatient carer, params string[] powers) => portal.GiveDelegationAsync(patient, carer, powers);

    [Fact]
    public async Task Caregiver_SeesTheWaitingVisit_AndCosignsWithTheirOwnKey_TheLedgerRecordsWhoSignedForWhom()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await GiveAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);
        var visit = AnchorKit.Encounter(Lakeview, father.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, father.Mpi!, visit);

        var waiting = await portal.Workflow(w => w.WaitingForAsync(son.Principal, father.Mpi!));
        Assert.Equal(prepared.Id, Assert.Single(waiting).Id);
        Assert.NotNull(await portal.Workflow(w => w.ForPatientAsync(son.Principal, prepared.Id)));
        Assert.True(Assert.Single((await portal.Workflow(w => w.ContentOfAsync(son.Principal, prepared.Id)))!).IsShown);

        var toSign = (await portal.Workflow(w => w.ToSignAsync(son.Principal, prepared.Id)))!;
        Assert.Equal(delegation, Assert.Single(toSign).Body["delegation"]!.GetValue<string>());
        var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, son.Key!.Sign(t.Type, t.Body))).ToList();
        var outcome = await portal.Workflow(w => w.ConfirmAsync(son.Principal, prepared.Id, son.Key!.Jwk, signatures));

        Assert.True(outcome.Succeeded, outcome.Error);
        var entry = Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId)!;
        Assert.Equal(father.Mpi, entry.Mpi);
        var signers = Host.Engine.GetReceipt(entry.TxId)!.Transaction.Signatures.Select(s => s.Kid).ToHashSet();
        Assert.Equal(new HashSet<string> { prepared.FacilityNodeId, son.Key!.Kid }, signers);
        var act = Assert.Single(Host.Reader.DelegatedActsOf(father.Mpi!));
        Assert.Equal((entry.TxId, delegation, son.Mpi, son.Key.Kid, DelegationPowers.Cosign), (act.TxId, act.Delegation, act.Delegate, act.Signer, act.Power));
        Assert.Empty(await portal.Workflow(w => w.WaitingForAsync(son.Principal, father.Mpi!)));
    }

    [Fact]
    public async Task WithoutTheCosignPower_TheSaveIsNeitherShownNorSignable()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await GiveAsync(father, son, DelegationPowers.View);
        var prepared = await portal.PrepareAsync(Lakeview, father.Mpi!, AnchorKit.Encounter(Lakeview, father.Mpi!));
        var fathers = await portal.SignAllAsync(father, prepared.Id);

        Assert.Empty(await portal.Workflow(w => w.WaitingForAsync(son.Principal, father.Mpi!)));
        Assert.Null(await portal.Workflow(w => w.ForPatientAsync(son.Principal, prepared.Id)));
        Assert.Null(await portal.Workflow(w => w.ToSignAsync(son.Principal, prepared.Id)));
        var confirm = await portal.Workflow(w => w.ConfirmAsync(son.Principal, prepared.Id, son.Key!.Jwk, fathers));
        var reject = await portal.Workflow(w => w.RejectAsync(son.Principal, prepared.Id, "not his"));

        Assert.Equal(AnchorError.Forbidden, confirm.Code);
        Assert.Equal(AnchorError.Forbidden, reject.Code);
        Assert.Equal(AnchorStatus.Pending, (await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id))).Status);
    }

    [Fact]
    public async Task ThePatient_StillConfirmsThemselves_AfterTheCaregiverOpenedIt_TheirBodyNamesNoDelegation()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        await GiveAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);
        var visit = AnchorKit.Encounter(Lakeview, father.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, father.Mpi!, visit);
        var sons = (await portal.Workflow(w => w.ToSignAsync(son.Principal, prepared.Id)))!;
        Assert.NotNull(Assert.Single(sons).Body["delegation"]);

        // A signature of the son's body is stale once the father asked for his own: what is stored changed.
        var fathers = await portal.SignAllAsync(father, prepared.Id);
        Assert.Null(Assert.Single(fathers).Body["delegation"]);
        var outcome = await portal.Workflow(w => w.ConfirmAsync(father.Principal, prepared.Id, father.Key!.Jwk, fathers));

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Empty(Host.Reader.DelegatedActsOf(father.Mpi!));
        var tx = Host.Engine.GetReceipt(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId)!.TxId)!.Transaction;
        Assert.Contains(father.Key!.Kid, tx.Signatures.Select(s => s.Kid));
    }

    [Fact]
    public async Task AfterTheFatherRevokes_TheCaregiverCanNoLongerConfirm()
    {
        var father = await portal.RegisteredPatientAsync();
        var son = await portal.RegisteredPatientAsync();
        var delegation = await GiveAsync(father, son, DelegationPowers.View, DelegationPowers.Cosign);
        var prepared = await portal.PrepareAsync(Lakeview, father.Mpi!, AnchorKit.Encounter(Lakeview, father.Mpi!));
        var toSign = (await portal.Workflow(w => w.ToSignAsync(son.Principal, prepared.Id)))!;
        var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, son.Key!.Sign(t.Type, t.Body))).ToList();

        await portal.WithScopeAsync(async s =>
        {
            var delegations = s.GetRequiredService<PatientDelegations>();
            var body = (await delegations.DraftRevokeAsync(father.Principal, delegation)).Value!;
            Assert.True((await delegations.RevokeAsync(father.Principal, body, father.Key!.Jwk, father.Key.Sign(TxType.DelegationRevoke, body))).IsOk);
            return true;
        });
        var outcome = await portal.Workflow(w => w.ConfirmAsync(son.Principal, prepared.Id, son.Key!.Jwk, signatures));

        Assert.Equal(AnchorError.Forbidden, outcome.Code);
        Assert.Null(await portal.Workflow(w => w.ForPatientAsync(son.Principal, prepared.Id)));
        Assert.Equal(AnchorStatus.Pending, (await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id))).Status);
    }
}
