using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Storage;

/// <summary>A transaction row as stored: the canonical body bytes and the signatures exactly as they were accepted.</summary>
public sealed record StoredTransaction(long Seq, long Height, int Index, byte[] Id, string Type, byte[] Body, string SignaturesJson)
{
    /// <summary>The id recomputed from the stored type and body bytes (what verification compares with).</summary>
    public byte[] RecomputeId() => System.Security.Cryptography.SHA256.HashData(Transaction.SigningBytesOf(Type, Body));

    /// <summary>Rebuilds the transaction from the stored bytes; fails as a value if any of them is damaged.</summary>
    public Result<Transaction> ToTransaction()
    {
        try
        {
            var sigs = new List<TxSignature>();
            foreach (var s in JsonNode.Parse(SignaturesJson)!.AsArray())
            {
                if (!Base64Url.TryDecode(s!["sig"]!.GetValue<string>(), out var sig))
                    return Result<Transaction>.Fail(LedgerError.BadSignature, $"stored signature of tx {Seq} is not base64url");
                sigs.Add(new TxSignature(s["kid"]!.GetValue<string>(), sig));
            }
            if (JsonNode.Parse(Body) is not JsonObject body)
                return Result<Transaction>.Fail(LedgerError.MalformedTransaction, $"stored body of tx {Seq} is not an object");
            var created = Transaction.Create(Type, body, sigs, cloneBody: false);
            if (!created.IsSuccess) return created;
            if (!created.Value!.SigningBytes.AsSpan().SequenceEqual(Transaction.SigningBytesOf(Type, Body)))
                return Result<Transaction>.Fail(LedgerError.MalformedTransaction, $"stored body of tx {Seq} is not canonical");
            return created;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            return Result<Transaction>.Fail(LedgerError.MalformedTransaction, $"stored tx {Seq} is malformed: {e.Message}");
        }
    }

    public static string EncodeSignatures(IReadOnlyList<TxSignature> signatures)
    {
        var array = new JsonArray();
        foreach (var s in signatures) array.Add(new JsonObject { ["kid"] = s.Kid, ["sig"] = Base64Url.Encode(s.Signature) });
        return array.ToJsonString();
    }
}
