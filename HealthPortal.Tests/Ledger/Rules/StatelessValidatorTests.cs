using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Rules;

/// <summary>Refusals decided before any state is read: clock skew, nonce, proof of work, body shape.</summary>
public sealed class StatelessValidatorTests
{
    private static Transaction PatientRegister(LedgerKit kit, LedgerKeyPair key, string mpi)
        => kit.Tx.PatientRegister(key.PublicJwk, mpi, LedgerKit.Hash(mpi), kit.Genesis.Parameters.PatientPowBits).SignWith(key);

    [Fact]
    public async Task Submit_TimestampOlderThanMaxSkew_IsRefusedTimestampOutOfRange()
    {
        var clock = new ManualClock();
        await using var kit = new LedgerKit(clock: clock);
        var key = LedgerKeyPair.Create();
        var tx = PatientRegister(kit, key, "MPI-0001");

        clock.Advance(TimeSpan.FromMilliseconds(kit.Genesis.Parameters.MaxSkewMs + 1));

        await kit.MustRefuse(tx, LedgerError.TimestampOutOfRange);
    }

    [Fact]
    public async Task Submit_TimestampAheadOfClockByMoreThanMaxSkew_IsRefusedTimestampOutOfRange()
    {
        var clock = new ManualClock();
        await using var kit = new LedgerKit(clock: clock);
        var key = LedgerKeyPair.Create();
        var tx = PatientRegister(kit, key, "MPI-0001");

        clock.Advance(TimeSpan.FromMilliseconds(-(kit.Genesis.Parameters.MaxSkewMs + 1)));

        await kit.MustRefuse(tx, LedgerError.TimestampOutOfRange);
    }

    [Fact]
    public async Task Submit_TimestampExactlyMaxSkewOld_Commits()
    {
        var clock = new ManualClock();
        await using var kit = new LedgerKit(clock: clock);
        var key = LedgerKeyPair.Create();
        var tx = PatientRegister(kit, key, "MPI-0001");

        clock.Advance(TimeSpan.FromMilliseconds(kit.Genesis.Parameters.MaxSkewMs));

        await kit.MustCommit(tx);
    }

    [Fact]
    public async Task Submit_BodyWithoutNonce_IsRefusedMissingNonce()
    {
        await using var kit = new LedgerKit();
        var patient = await kit.Patient("MPI-0001");
        var body = kit.Tx.Body();
        body.Remove("nonce");
        body["mpi"] = "MPI-0001";
        body["kid"] = patient.Id;
        var tx = Transaction.Create(TxType.KeyRevoke, body).ValueOrThrow().SignWith(patient);

        await kit.MustRefuse(tx, LedgerError.MissingNonce);
    }

    [Fact]
    public async Task Submit_RegistrationBelowProofOfWorkTarget_IsRefusedInsufficientProofOfWork()
    {
        await using var kit = new LedgerKit();
        var key = LedgerKeyPair.Create();
        var bits = kit.Genesis.Parameters.PatientPowBits;
        var body = kit.Tx.PatientRegisterBody(key.PublicJwk, "MPI-0001", LedgerKit.Hash("MPI-0001"));

        // The first counter whose id misses the target (almost always "0": a hit has odds 2^-bits).
        Transaction tx;
        var counter = 0;
        do
        {
            body["pow"] = counter++.ToString(System.Globalization.CultureInfo.InvariantCulture);
            tx = Transaction.Create(TxType.PatientRegister, body).ValueOrThrow();
        } while (ProofOfWork.Satisfies(tx, bits));

        await kit.MustRefuse(tx.SignWith(key), LedgerError.InsufficientProofOfWork);
    }

    [Fact]
    public async Task Submit_WireBodyWithFloat_IsRefusedFloatNotAllowed()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient("MPI-0001");
        var wire = kit.Tx.GrantIssue("MPI-0001", clinic.Id, ["all"], "treatment", kit.Now, kit.Now + 86_400_000).SignWith(patient).ToJson();
        var notBefore = wire["body"]!["notBefore"]!.GetValue<long>();
        var json = wire.ToJsonString().Replace($"\"notBefore\":{notBefore}", $"\"notBefore\":{notBefore}.5", StringComparison.Ordinal);

        var result = await kit.Engine.SubmitAsync(Encoding.UTF8.GetBytes(json));

        Assert.Equal(LedgerError.FloatNotAllowed, result.Error);
    }

    [Fact]
    public async Task Submit_BodyWithMemberOutsideSchema_IsRefusedInvalidField()
    {
        await using var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient("MPI-0001");
        var body = kit.Tx.Body();
        body["mpi"] = "MPI-0001"; body["facility"] = clinic.Id; body["purpose"] = "treatment";
        body["categories"] = new JsonArray("all");
        body["notBefore"] = kit.Now; body["expiresAt"] = kit.Now + 86_400_000;
        body["patientName"] = "Aung Aung";
        var tx = Transaction.Create(TxType.GrantIssue, body).ValueOrThrow().SignWith(patient);

        await kit.MustRefuse(tx, LedgerError.InvalidField);
    }
}
