using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>
/// Issue 17: confirm and reject lock one confirmation, not the node. Different confirmations go through side by side
/// and all land; the same confirmation confirmed twice at once, or confirmed and rejected at once, is decided once.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AnchorConcurrencyTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    [Fact]
    public async Task ConfirmsOfDifferentConfirmations_AtOnce_AllAnchorEveryRecordOnce()
    {
        var work = new List<(TestPatient Patient, AnchorConfirmationView Prepared, IReadOnlyList<PatientSignature> Signatures)>();
        for (var i = 0; i < 6; i++)
        {
            var patient = await portal.RegisteredPatientAsync();
            var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!), AnchorKit.Encounter(Lakeview, patient.Mpi!));
            work.Add((patient, prepared, await portal.SignAllAsync(patient, prepared.Id)));
        }

        var outcomes = await Task.WhenAll(work.Select(w => Task.Run(() =>
            portal.Workflow(s => s.ConfirmAsync(w.Patient.Principal, w.Prepared.Id, w.Patient.Key!.Jwk, w.Signatures)))));

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error));
        foreach (var (_, prepared, _) in work)
        {
            foreach (var record in prepared.Records)
                Assert.NotNull(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, record.RecordId));
        }
    }

    [Fact]
    public async Task SameConfirmation_ConfirmedFromTwoTabsAtOnce_SubmitsItsAnchorsOnce()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!), AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var signatures = await portal.SignAllAsync(patient, prepared.Id);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures)))));

        // Unserialized, the second tab would submit anchors the first had just committed and be refused as a duplicate
        // record; under the confirmation's lock it finds them on the ledger and answers with the same block.
        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error));
        Assert.Single(outcomes.Select(o => o.Height).Distinct());
        foreach (var record in prepared.Records)
            Assert.NotNull(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, record.RecordId));
        var stored = await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id));
        Assert.Equal(AnchorStatus.Anchored, stored.Status);
    }

    [Fact]
    public async Task SameConfirmation_ConfirmedAndRejectedAtOnce_EndsInExactlyOneDecision()
    {
        for (var round = 0; round < 3; round++)
        {
            var patient = await portal.RegisteredPatientAsync();
            var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
            var signatures = await portal.SignAllAsync(patient, prepared.Id);

            var confirm = Task.Run(() => portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures)));
            var reject = Task.Run(() => portal.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, "Not my visit")));
            var (confirmed, rejected) = (await confirm, await reject);

            // One of them decided; the other saw that decision and was refused.
            Assert.True(confirmed.Succeeded ^ rejected.Succeeded, $"confirm: {confirmed.Error}; reject: {rejected.Error}");
            var stored = await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id));
            var onLedger = Host.Engine.Store.FindRecord(prepared.FacilityNodeId, prepared.Records[0].RecordId) is not null;
            if (confirmed.Succeeded)
            {
                Assert.Equal(AnchorStatus.Anchored, stored.Status);
                Assert.True(onLedger);
                Assert.Equal(AnchorError.NotPending, rejected.Code);
            }
            else
            {
                Assert.Equal(AnchorStatus.Rejected, stored.Status);
                Assert.False(onLedger);
                Assert.Equal(AnchorError.NotPending, confirmed.Code);
            }
        }
    }
}
