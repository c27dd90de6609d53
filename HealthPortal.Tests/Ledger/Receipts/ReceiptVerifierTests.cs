using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Receipts;

/// <summary>
/// An offline receipt check fails when any part of the receipt is changed: the transaction, the inclusion proof,
/// the header, its signature, or a key.
/// </summary>
public sealed class ReceiptVerifierTests : IAsyncLifetime
{
    private LedgerKit _kit = null!;
    private LedgerKeyPair _lab = null!, _patient = null!;
    private Receipt _receipt = null!;

    public async Task InitializeAsync()
    {
        _kit = new LedgerKit();
        _lab = await _kit.Facility(NodeStatus.Approved, "laboratory");
        _patient = await _kit.Patient("MPI-0001");
        // Three anchors submitted together land in one block, so each receipt carries a non-empty inclusion proof.
        var results = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => _kit.Engine.SubmitAsync(_kit.Anchor(_lab, _patient, "MPI-0001", $"lab-{i}")).AsTask()));
        _receipt = results.Select(r => r.Receipt!).MaxBy(r => r.InclusionProof.Count)!;
        Assert.NotEmpty(_receipt.InclusionProof);
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private JsonObject Json() => _receipt.ToJson();

    /// <summary>The string with the character at <paramref name="index"/> replaced by another base64url character.</summary>
    private static string Flip(string s, int index = 5)
    {
        var chars = s.ToCharArray();
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    [Fact]
    public void Verify_UnchangedReceipt_IsValid()
    {
        var result = ReceiptVerifier.Verify(_receipt.ToJsonString());

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Verify_FlippedCharInTransactionBody_IsRejected()
    {
        var json = Json();
        var body = json["transaction"]!["body"]!.AsObject();
        body["hash"] = Flip(body["hash"]!.GetValue<string>());

        Assert.Equal(LedgerError.InvalidField, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_FlippedCharInProofHash_IsRejected()
    {
        var json = Json();
        var proof = json["proof"]!.AsArray();
        proof[0] = Flip(proof[0]!.GetValue<string>());

        Assert.Equal(LedgerError.InvalidField, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_FlippedCharInHeaderTxRoot_IsRejected()
    {
        var json = Json();
        var header = json["header"]!.AsObject();
        header["txRoot"] = Flip(header["txRoot"]!.GetValue<string>());

        Assert.Equal(LedgerError.BadSignature, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_ChangedHeaderTimestamp_IsRejected()
    {
        var json = Json();
        var header = json["header"]!.AsObject();
        header["ts"] = header["ts"]!.GetValue<long>() + 1;

        Assert.Equal(LedgerError.BadSignature, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_FlippedCharInHeaderSignature_IsRejected()
    {
        var json = Json();
        json["headerSignature"] = Flip(json["headerSignature"]!.GetValue<string>());

        Assert.Equal(LedgerError.BadSignature, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_SignerKeyReplacedUnderItsKid_IsRejected()
    {
        var json = Json();
        json["keys"]![_patient.Id] = LedgerKeyPair.Create().PublicJwk.ToJson();

        Assert.Equal(LedgerError.InvalidField, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_SignerSwappedForAnotherKeyWithItsOwnKid_IsRejected()
    {
        // The forger relabels the patient's signature as another key's and ships that key, consistently.
        var other = LedgerKeyPair.Create();
        var json = Json();
        var keys = json["keys"]!.AsObject();
        keys.Remove(_patient.Id);
        keys[other.Id] = other.PublicJwk.ToJson();
        foreach (var s in json["transaction"]!["signatures"]!.AsArray())
            if (s!["kid"]!.GetValue<string>() == _patient.Id) s["kid"] = other.Id;

        Assert.Equal(LedgerError.BadSignature, ReceiptVerifier.Verify(json).Error);
    }

    [Fact]
    public void Verify_ProposerSwappedForAnotherKey_IsRejected()
    {
        var other = LedgerKeyPair.Create();
        var json = Json();
        var header = json["header"]!.AsObject();
        var keys = json["keys"]!.AsObject();
        keys.Remove(header["proposer"]!.GetValue<string>());
        keys[other.Id] = other.PublicJwk.ToJson();
        header["proposer"] = other.Id;

        Assert.Equal(LedgerError.BadSignature, ReceiptVerifier.Verify(json).Error);
    }
}
