using System.Text.Json.Nodes;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Receipts;

/// <summary>
/// Proof that a transaction was committed: the transaction, its block header (signed by the proposer), its index
/// and RFC 6962 inclusion proof, and the public keys of every signer, so it can be checked offline with no ledger.
/// </summary>
public sealed record Receipt(
    Transaction Transaction, long Height, int Index, IReadOnlyList<byte[]> InclusionProof,
    BlockHeader Header, byte[] HeaderSignature, IReadOnlyDictionary<string, Jwk> Keys)
{
    public const int FormatVersion = 1;

    public string TransactionId => Transaction.IdText;

    public JsonObject ToJson()
    {
        var proof = new JsonArray();
        foreach (var p in InclusionProof) proof.Add(Base64Url.Encode(p));
        var keys = new JsonObject();
        foreach (var (kid, jwk) in Keys.OrderBy(k => k.Key, StringComparer.Ordinal)) keys[kid] = jwk.ToJson();
        return new JsonObject
        {
            ["receipt"] = FormatVersion,
            ["txId"] = Transaction.IdText,
            ["height"] = Height,
            ["index"] = Index,
            ["transaction"] = Transaction.ToJson(),
            ["proof"] = proof,
            ["header"] = Header.ToJson(),
            ["headerSignature"] = Base64Url.Encode(HeaderSignature),
            ["keys"] = keys,
        };
    }

    public string ToJsonString() => ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
}
