using HealthPortal.Ledger;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>A record is anchored by its facility and its patient together, once.</summary>
public sealed class RecordRulesTests
{
    private const string Mpi = "MPI-0001";

    [Fact]
    public async Task RecordAnchor_SignedByFacilityAlone_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        await kit.Patient(Mpi);

        var anchor = kit.Tx.RecordAnchor(Mpi, lab.Id, "lab-1", "lab", "2026-11-24", LedgerKit.Hash("lab-1"), "Observation/lab-1").SignWith(lab);

        await kit.MustRefuse(anchor, LedgerError.MissingSignature);
    }

    [Fact]
    public async Task RecordAnchor_SignedByPatientAlone_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);

        var anchor = kit.Tx.RecordAnchor(Mpi, lab.Id, "lab-1", "lab", "2026-11-24", LedgerKit.Hash("lab-1"), "Observation/lab-1").SignWith(patient);

        await kit.MustRefuse(anchor, LedgerError.MissingSignature);
    }

    [Fact]
    public async Task RecordAnchor_SignedByPatientAndAnotherFacility_IsRefusedMissingSignature()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var other = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);

        var anchor = kit.Tx.RecordAnchor(Mpi, lab.Id, "lab-1", "lab", "2026-11-24", LedgerKit.Hash("lab-1"), "Observation/lab-1").SignWith(other).SignWith(patient);

        await kit.MustRefuse(anchor, LedgerError.MissingSignature);
    }

    [Fact]
    public async Task RecordAnchor_CoSignedByAnotherPatient_IsRefusedSignerNotAuthorized()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        await kit.Patient(Mpi);
        var stranger = await kit.Patient("MPI-0002");

        await kit.MustRefuse(kit.Anchor(lab, stranger, Mpi, "lab-1"), LedgerError.SignerNotAuthorized);
    }

    [Fact]
    public async Task RecordAnchor_OfRecordIdAlreadyAnchored_IsRefusedDuplicateRecord()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));

        // A new transaction (fresh nonce, other content hash) reusing the record id.
        var again = kit.Tx.RecordAnchor(Mpi, lab.Id, "lab-1", "lab", "2026-11-25", LedgerKit.Hash("amended"), "Observation/lab-1").SignWith(lab).SignWith(patient);

        await kit.MustRefuse(again, LedgerError.DuplicateRecord);
    }

    [Fact]
    public async Task RecordAnchor_OfSameRecordIdTwiceInOneBlock_CommitsOnlyTheFirst()
    {
        await using var kit = new LedgerKit(sequencer: new() { BlockInterval = TimeSpan.FromMilliseconds(200) });
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);

        var first = kit.Engine.SubmitAsync(kit.Anchor(lab, patient, Mpi, "lab-1")).AsTask();
        var second = kit.Engine.SubmitAsync(kit.Anchor(lab, patient, Mpi, "lab-1")).AsTask();
        var results = await Task.WhenAll(first, second);

        Assert.True(results[0].IsCommitted, results[0].ToString());
        Assert.Equal(LedgerError.DuplicateRecord, results[1].Error);
    }

    [Fact]
    public async Task RecordAnchor_OfSameRecordIdAtAnotherFacility_Commits()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "visit-1"));

        await kit.MustCommit(kit.Anchor(clinic, patient, Mpi, "visit-1"));
    }
}
