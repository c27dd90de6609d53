using System.Text;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>
/// record.retract: the facility that anchored a record withdraws it, signed by its node key, with a reason code; the
/// reader answers whether, when and why; a record is retracted once, only by its author, only in its current version.
/// </summary>
public sealed class RetractionRulesTests
{
    private const string Mpi = "MPI-0001";

    private static Transaction Retract(LedgerKit kit, LedgerKeyPair signer, string facility, string record, string reason = RetractReasons.WrongPatient)
        => kit.Tx.RecordRetract(facility, record, reason).SignWith(signer);

    [Fact]
    public async Task Retract_OwnRecord_CommitsAndTheReaderSaysWhenAndWhy()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-2"));

        var result = await kit.MustCommit(Retract(kit, lab, lab.Id, "lab-1"));

        var reader = kit.Engine.Reader;
        var retraction = reader.Retraction(lab.Id, "lab-1");
        Assert.NotNull(retraction);
        Assert.Equal(RetractReasons.WrongPatient, retraction.Reason);
        Assert.Equal(Mpi, retraction.Mpi);
        Assert.Equal(result.Receipt!.TransactionId, retraction.TxId);
        Assert.True(retraction.Timestamp > 0);
        Assert.Null(reader.Retraction(lab.Id, "lab-2"));
        Assert.Equal([(lab.Id, "lab-1")], reader.RetractionsOf(Mpi).Keys);
        // The anchor itself stays: the ledger forgets nothing, it only says the record was withdrawn.
        Assert.NotNull(reader.Record(lab.Id, "lab-1"));
    }

    [Fact]
    public async Task Retract_RecordNeverAnchored_IsRefusedUnknownRetractedRecord()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);

        await kit.MustRefuse(Retract(kit, lab, lab.Id, "lab-404"), LedgerError.UnknownRetractedRecord);
    }

    [Fact]
    public async Task Retract_AnotherFacilitysRecord_IsRefusedRetractsOtherFacility()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(clinic, patient, Mpi, "visit-1"));

        // Naming the other facility and signing as oneself, or naming oneself for a record one never anchored.
        await kit.MustRefuse(Retract(kit, lab, clinic.Id, "visit-1"), LedgerError.RetractsOtherFacility);
        await kit.MustRefuse(Retract(kit, lab, lab.Id, "visit-1"), LedgerError.UnknownRetractedRecord);
        Assert.Null(kit.Engine.Reader.Retraction(clinic.Id, "visit-1"));
    }

    [Fact]
    public async Task Retract_Twice_IsRefusedAlreadyRetracted()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(Retract(kit, lab, lab.Id, "lab-1"));

        await kit.MustRefuse(Retract(kit, lab, lab.Id, "lab-1", RetractReasons.Duplicate), LedgerError.AlreadyRetracted);
        Assert.Equal(RetractReasons.WrongPatient, kit.Engine.Reader.Retraction(lab.Id, "lab-1")!.Reason);
    }

    [Fact]
    public async Task TwoRetractions_InOneBlock_CommitOnlyTheFirst()
    {
        await using var kit = new LedgerKit(sequencer: new() { BlockInterval = TimeSpan.FromMilliseconds(200) });
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));

        var results = await Task.WhenAll(
            kit.Engine.SubmitAsync(Retract(kit, lab, lab.Id, "lab-1")).AsTask(),
            kit.Engine.SubmitAsync(Retract(kit, lab, lab.Id, "lab-1", RetractReasons.EnteredInError)).AsTask());

        Assert.True(results[0].IsCommitted, results[0].ToString());
        Assert.Equal(LedgerError.AlreadyRetracted, results[1].Error);
    }

    [Fact]
    public async Task Retract_AnOldVersion_IsRefusedAndTheCurrentOneCommits()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(kit.Tx.RecordAnchor(Mpi, lab.Id, "lab-1-v2", "lab", "2026-11-25", LedgerKit.Hash("lab-1-v2"), "Observation/lab-1-v2", $"{lab.Id}/lab-1")
            .SignWith(lab).SignWith(patient));

        await kit.MustRefuse(Retract(kit, lab, lab.Id, "lab-1"), LedgerError.AlreadySuperseded);
        await kit.MustCommit(Retract(kit, lab, lab.Id, "lab-1-v2"));
    }

    [Fact]
    public async Task Correction_OfRetractedRecord_IsRefusedAlreadyRetracted()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(Retract(kit, lab, lab.Id, "lab-1"));

        await kit.MustRefuse(kit.Tx.RecordAnchor(Mpi, lab.Id, "lab-1-v2", "lab", "2026-11-25", LedgerKit.Hash("lab-1-v2"), "Observation/lab-1-v2", $"{lab.Id}/lab-1")
            .SignWith(lab).SignWith(patient), LedgerError.AlreadyRetracted);
    }

    [Fact]
    public async Task Retract_SignedAlsoByThePatient_IsRefusedUnexpectedSignature()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));

        await kit.MustRefuse(Retract(kit, lab, lab.Id, "lab-1").SignWith(patient), LedgerError.UnexpectedSignature);
    }

    [Fact]
    public async Task Retract_ByARevokedFacility_IsRefused()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(kit.Tx.NodeRevoke(lab.Id, NodeDecisionReasons.LeftNetwork).SignWith(kit.Admin));

        await kit.MustRefuse(Retract(kit, lab, lab.Id, "lab-1"), LedgerError.NodeNotApproved);
    }

    [Theory]
    [InlineData("filed under Aung Kyaw Moe")]
    [InlineData("")]
    [InlineData("WRONG-PATIENT")]
    public void Reason_OutsideTheCodes_IsRefusedUnknownCode(string reason)
    {
        var tx = new TransactionFactory(TimeProvider.System).RecordRetract(new string('F', 43), "lab-1", reason);

        var parsed = PayloadParser.Parse(tx);

        Assert.False(parsed.IsSuccess);
        Assert.Equal(LedgerError.UnknownCode, parsed.Error);
    }

    [Fact]
    public void Body_HoldsOnlyFacilityRecordAndReason()
    {
        var tx = new TransactionFactory(TimeProvider.System).RecordRetract(new string('F', 43), "lab-1", RetractReasons.Duplicate);
        tx.Body["mpi"] = Mpi;

        Assert.Equal(LedgerError.InvalidField, PayloadParser.Parse(tx).Error);
        tx.Body.Remove("mpi");
        var parsed = Assert.IsType<RecordRetractPayload>(PayloadParser.Parse(tx).Value);
        Assert.Equal(("lab-1", RetractReasons.Duplicate), (parsed.Record, parsed.Reason));
        Assert.DoesNotContain("MPI", Encoding.UTF8.GetString(tx.SigningBytes));
    }

    [Fact]
    public async Task Chain_WithRetractions_ReplaysToTheSameState()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-1"));
        await kit.MustCommit(kit.Anchor(lab, patient, Mpi, "lab-2"));
        await kit.MustCommit(Retract(kit, lab, lab.Id, "lab-1"));
        await kit.MustCommit(Retract(kit, lab, lab.Id, "lab-2", RetractReasons.EnteredInError));
        await kit.Close();

        var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);

        Assert.True(report.IsValid, report.ToLine());
    }
}
