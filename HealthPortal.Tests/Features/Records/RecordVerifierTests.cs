using HealthPortal.Features.Ehr;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Features.Ehr;

namespace HealthPortal.Tests.Features.Records;

/// <summary>
/// <see cref="RecordVerifier.VerifyManyAsync"/> (a store's records read in batches over one opening of its file) against
/// the one-record path it replaces for timelines and <c>$everything</c>: the same verdict for every anchor, in order.
/// </summary>
public sealed class RecordVerifierTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private static int _index;

    private static RecordEntry AnchorOf(EhrRecord record, string? hash = null) =>
        new(record.FacilityId, record.RecordId, record.Mpi, record.Kind, record.DateText, hash ?? record.Hash, $"Encounter/{record.RecordId}",
            $"tx-{Interlocked.Increment(ref _index)}", 1, 0, 0);

    private async Task<List<EhrRecord>> HospitalRecordsAsync(string mpi, int admissions)
    {
        var records = new List<EhrRecord>();
        for (var i = 0; i < admissions; i++)
            records.AddRange((await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, mpi, EhrSamples.Admission(), "staff")).Value!.Records);
        return records;
    }

    [Fact]
    public async Task VerifyMany_GivesEachAnchorTheVerdictOfVerify_InTheOrderGiven()
    {
        var mpi = EhrTestNode.NewMpi();
        // More than one batch of the hospital's records (50), interleaved with the clinic's and with anchors that fail.
        var hospital = await HospitalRecordsAsync(mpi, 12);
        var clinic = (await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, mpi, EhrSamples.Visit(), "staff")).Value!.Records;
        var anchors = new List<RecordEntry>();
        foreach (var (record, i) in hospital.Select((r, i) => (r, i)))
        {
            anchors.Add(AnchorOf(record));
            if (i < clinic.Count) anchors.Add(AnchorOf(clinic[i]));
        }
        anchors.Insert(7, AnchorOf(hospital[3], hash: clinic[0].Hash)); // content that is not what was anchored
        anchors.Insert(20, AnchorOf(hospital[0]) with { RecordId = "adm-gone" }); // a record the store does not hold
        anchors.Insert(33, AnchorOf(hospital[1]) with { Facility = "fac-elsewhere" }); // a facility not hosted here
        Assert.True(anchors.Count(a => a.Facility == EhrTestNode.Hospital) > 50);
        var verifier = new RecordVerifier(new LocalRecordFetcher(node.Stores));

        var many = await verifier.VerifyManyAsync(anchors);

        Assert.Equal(anchors.Count, many.Count);
        for (var i = 0; i < anchors.Count; i++)
        {
            var one = await verifier.VerifyAsync(anchors[i]);
            Assert.Same(anchors[i], many[i].Anchor);
            Assert.Equal(one.Integrity, many[i].Integrity);
            Assert.Equal(one.Problem, many[i].Problem);
            Assert.Equal(one.CurrentHash, many[i].CurrentHash);
        }
        Assert.Equal(RecordIntegrity.Altered, many[7].Integrity);
        Assert.Equal(RecordIntegrity.Altered, many[20].Integrity);
        Assert.Equal(RecordIntegrity.Unavailable, many[33].Integrity);
        Assert.Equal(anchors.Count - 3, many.Count(v => v.Integrity == RecordIntegrity.Verified));
    }

    [Fact]
    public async Task VerifyMany_SeesAnEditMadeDirectlyInTheStoreFile()
    {
        var records = await HospitalRecordsAsync(EhrTestNode.NewMpi(), 1);
        var anchors = records.Select(r => AnchorOf(r)).ToList();
        var verifier = new RecordVerifier(new LocalRecordFetcher(node.Stores));
        Assert.All(await verifier.VerifyManyAsync(anchors), v => Assert.Equal(RecordIntegrity.Verified, v.Integrity));

        node.Execute(EhrTestNode.Hospital, "UPDATE diagnoses SET Description = 'Common cold' WHERE Id = $id", ("$id", records[1].RecordId));

        var again = await verifier.VerifyManyAsync(anchors);
        Assert.Equal(RecordIntegrity.Altered, again[1].Integrity);
        Assert.Equal(anchors.Count - 1, again.Count(v => v.Integrity == RecordIntegrity.Verified));
    }

    [Fact]
    public async Task ReadMany_OfAMissingStoreFile_IsUnavailableForEveryRecord()
    {
        var store = new HealthPortal.Features.Ehr.Hospital.HospitalStore("fac-gone", Path.Combine(node.DataFolder, "gone-" + Guid.NewGuid().ToString("N") + ".db"));

        var reads = await store.ReadManyAsync(["adm-a", "dx-b"]);

        Assert.Equal(2, reads.Count);
        Assert.All(reads, r => Assert.Equal(EhrReadStatus.Unavailable, r.Status));
    }
}
