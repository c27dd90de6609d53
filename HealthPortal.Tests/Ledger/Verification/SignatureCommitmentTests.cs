using System.Numerics;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Verification;

/// <summary>
/// Ids leave signatures out, so the block's sigRoot is what makes a valid-but-different stored signature
/// (the malleated twin, or a reordering) count as damage.
/// </summary>
public sealed class SignatureCommitmentTests
{
    private static readonly BigInteger P256Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private static byte[] Malleate(byte[] signature)
    {
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var twin = (P256Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[64];
        signature.AsSpan(0, 32).CopyTo(result);
        twin.CopyTo(result.AsSpan(64 - twin.Length));
        return result;
    }

    private static async Task<(string Path, long Height, long Seq)> ChainWithAnchor(LedgerKit kit)
    {
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient("MPI-0042");
        var anchor = await kit.MustCommit(kit.Tx.RecordAnchor("MPI-0042", lab.Id, "r-1", "lab", "2026-11-24", LedgerKit.Hash("x"), "Observation/r-1").SignWith(lab).SignWith(patient));
        await kit.Patient("MPI-0043");
        var seq = kit.Engine.Store.FindSeq(anchor.Receipt!.Transaction.Id)!.Value;
        await kit.Close();
        return (kit.Options.DatabasePath, anchor.Receipt.Height, seq);
    }

    [Fact]
    public async Task VerifyFull_FindsSignatureSwappedForItsMalleatedTwin()
    {
        await using var kit = new LedgerKit();
        var (path, height, seq) = await ChainWithAnchor(kit);
        var sigs = JsonNode.Parse((string)StoreFile.Scalar(path, "SELECT signatures FROM txs WHERE seq = $s", ("$s", seq))!)!.AsArray();
        sigs[0]!["sig"] = Base64Url.Encode(Malleate(Base64Url.Decode(sigs[0]!["sig"]!.GetValue<string>())));
        StoreFile.Write(path, "txs", "signatures", seq, sigs.ToJsonString());

        var report = ChainVerifier.VerifyFull(path);

        Assert.False(report.IsValid);
        Assert.Equal(height, report.FirstBadHeight);
    }

    [Fact]
    public async Task VerifyFull_FindsReorderedSignatures()
    {
        await using var kit = new LedgerKit();
        var (path, height, seq) = await ChainWithAnchor(kit);
        var sigs = JsonNode.Parse((string)StoreFile.Scalar(path, "SELECT signatures FROM txs WHERE seq = $s", ("$s", seq))!)!.AsArray();
        var reordered = new JsonArray(sigs[1]!.DeepClone(), sigs[0]!.DeepClone());
        StoreFile.Write(path, "txs", "signatures", seq, reordered.ToJsonString());

        var report = ChainVerifier.VerifyFull(path);

        Assert.False(report.IsValid);
        Assert.Equal(height, report.FirstBadHeight);
    }
}
