using System.Numerics;
using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Engine;

/// <summary>
/// A patient's signed grant.issue or grant.revoke cannot be replayed: not as the same bytes, not with the malleated
/// signature (r, n − s), not re-encoded with its members reordered or spaced out. Each is the same canonical
/// {type, body}, hence the same id, and is refused as DuplicateTransaction — so nobody can re-issue a revoked grant
/// by resubmitting what the patient once signed.
/// </summary>
public sealed class GrantReplayTests
{
    private const string Mpi = "MPI-0001";
    private const long Day = 86_400_000;

    private static readonly BigInteger P256Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private static Transaction Malleated(Transaction signed)
    {
        var signature = signed.Signatures[0].Signature;
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var twin = (byte[])signature.Clone();
        var sPrime = (P256Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(twin, 32, 32);
        sPrime.CopyTo(twin, 64 - sPrime.Length);
        Assert.NotEqual(signature, twin);
        return Transaction.Create(signed.Type, signed.Body).ValueOrThrow().WithSignature(signed.Signatures[0].Kid, twin);
    }

    /// <summary>The wire form with the body's members in reverse order and whitespace everywhere, parsed back.</summary>
    private static Transaction ReEncoded(Transaction signed)
    {
        var wire = JsonNode.Parse(signed.ToJsonString())!.AsObject();
        var body = wire["body"]!.AsObject();
        var reordered = new JsonObject();
        foreach (var (name, value) in body.Reverse().ToList()) reordered[name] = value?.DeepClone();
        var root = new JsonObject { ["signatures"] = wire["signatures"]!.DeepClone(), ["body"] = reordered, ["type"] = wire["type"]!.DeepClone() };
        var text = root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        Assert.NotEqual(signed.ToJsonString(), text);
        return TransactionCodec.Parse(text).ValueOrThrow();
    }

    private static async Task<(LedgerKit Kit, LedgerKeyPair Patient, Transaction Issue)> IssuedGrant()
    {
        var kit = new LedgerKit();
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient(Mpi);
        var issue = kit.Tx.GrantIssue(Mpi, clinic.Id, ["lab-result"], "treatment", kit.Now, kit.Now + Day).SignWith(patient);
        await kit.MustCommit(issue);
        return (kit, patient, issue);
    }

    public static TheoryData<string> Replays => new(["same bytes", "malleated signature", "re-encoded"]);

    private static Transaction Replay(Transaction signed, string how) => how switch
    {
        "same bytes" => TransactionCodec.Parse(signed.ToJsonString()).ValueOrThrow(),
        "malleated signature" => Malleated(signed),
        _ => ReEncoded(signed),
    };

    [Theory, MemberData(nameof(Replays))]
    public async Task GrantIssue_Replayed_IsRefusedDuplicateTransaction(string how)
    {
        var (kit, _, issue) = await IssuedGrant();
        await using var _ = kit;
        var replay = Replay(issue, how);
        Assert.Equal(issue.IdText, replay.IdText);

        var result = await kit.Submit(replay);

        Assert.Equal(LedgerError.DuplicateTransaction, result.Error);
        Assert.Single(kit.Engine.State.GrantsOf(Mpi));
    }

    [Theory, MemberData(nameof(Replays))]
    public async Task GrantIssue_ReplayedAfterRevoke_IsRefusedAndTheGrantStaysRevoked(string how)
    {
        var (kit, patient, issue) = await IssuedGrant();
        await using var _ = kit;
        await kit.MustCommit(kit.Tx.GrantRevoke(Mpi, issue.IdText).SignWith(patient));

        var result = await kit.Submit(Replay(issue, how));

        Assert.Equal(LedgerError.DuplicateTransaction, result.Error);
        Assert.NotNull(kit.Engine.State.Grant(issue.IdText)!.RevokedHeight);
    }

    [Theory, MemberData(nameof(Replays))]
    public async Task GrantRevoke_Replayed_IsRefusedDuplicateTransaction(string how)
    {
        var (kit, patient, issue) = await IssuedGrant();
        await using var _ = kit;
        var revoke = kit.Tx.GrantRevoke(Mpi, issue.IdText).SignWith(patient);
        var committed = await kit.MustCommit(revoke);

        var result = await kit.Submit(Replay(revoke, how));

        Assert.Equal(LedgerError.DuplicateTransaction, result.Error);
        Assert.Equal(committed.Receipt!.Height, kit.Engine.State.Grant(issue.IdText)!.RevokedHeight);
    }
}
