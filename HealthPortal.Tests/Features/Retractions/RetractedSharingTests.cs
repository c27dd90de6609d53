using HealthPortal.Features.Interop;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.Retractions;

/// <summary>
/// A retracted record is shared with no one: under an active grant that covers it, the FHIR read of the patient's
/// records leaves it out (and logs no access to it), and a read of it by id is refused.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RetractedSharingTests(InteropWorld world)
{
    private InteropReader Reader => world.Get<InteropReader>();
    private InteropCaller Caller => new(world.NodeId(InteropWorld.Caller), InteropWorld.TestStaff, "treatment", null);

    [Fact]
    public async Task RetractedRecord_IsLeftOutOfEverything_AndRefusedById_UnderAGrantThatCoversIt()
    {
        var patient = await world.PatientAsync();
        var kept = await world.RecordAsync(InteropWorld.Holder, patient);
        var withdrawn = await world.RecordAsync(InteropWorld.Holder, patient);
        await world.GrantAsync(patient, world.NodeId(InteropWorld.Caller), [InteropWorld.Kind], world.Now - 1000, world.Now + 3_600_000);
        await world.Commit(world.Tx.RecordRetract(withdrawn.Facility, withdrawn.RecordId, RetractReasons.WrongPatient).SignWith(world.FacilityKey(InteropWorld.Holder)));

        var everything = await Reader.EverythingAsync(Caller, patient.Mpi);

        Assert.Equal(InteropReadStatus.Ok, everything.Status);
        Assert.Equal([kept.RecordId], everything.Records.Select(r => r.Verified.Anchor.RecordId));
        Assert.DoesNotContain(world.AccessesOf(patient.Mpi).SelectMany(a => a.Records), r => r.EndsWith("/" + withdrawn.RecordId, StringComparison.Ordinal));
        var byId = await Reader.RecordAsync(Caller, withdrawn.Facility, withdrawn.RecordId);
        Assert.Equal(InteropReadStatus.UnknownRecord, byId.Status);
        Assert.Contains("retracted", byId.Message);
        Assert.Equal(InteropReadStatus.Ok, (await Reader.RecordAsync(Caller, kept.Facility, kept.RecordId)).Status);
    }
}
