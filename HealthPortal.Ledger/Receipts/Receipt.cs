using System.Text.Json.Nodes;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Receipts;

/// <summary>
/// Proof that a transaction was committed: the transaction, its block header (signed by the proposer), its index
/// and RFC 6962 inclusion proof, and the public keys of every signer, so it can be checked offline with no ledger.
/// A wallet signer has no public key to list: <see cref="Wallets"/> holds, per wallet address, the EIP-712 typed data
/// it signed (<c>"wallets"</c>, present only when a wallet signed), which the verifier checks against the transaction.
/// </summary>
public sealed record Receipt(
    Transaction Transaction, long Height, int Index, IReadOnlyList<byte[]> InclusionProof,
    BlockHeader Header, byte[] HeaderSignature, IReadOnlyDictionary<string, Jwk> Keys,
    IReadOnlyDictionary<string, JsonObject>? Wallets = null)
{
    public const int FormatVersion = 1;

    public string TransactionId => Transaction.IdText;

    public JsonObject ToJson()
    {
        var proof = new JsonArray();
        foreach (var p in InclusionProof) proof.Add(Base64Url.Encode(p));
        var keys = new JsonObject();
        foreach (var (kid, jwk) in Keys.OrderBy(k => k.Key, StringComparer.Ordinal)) keys[kid] = jwk.ToJson();
        var json = new JsonObject
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
        if (Wallets is { Count: > 0 })
        {
            var wallets = new JsonObject();
            foreach (var (address, typedData) in Wallets.OrderBy(w => w.Key, StringComparer.Ordinal)) wallets[address] = typedData.DeepClone();
            json["wallets"] = wallets;
        }
        return json;
    }

    /// <summary>Per wallet signature of <paramref name="tx"/>, the typed data it signed (for the receipt's <c>wallets</c>).</summary>
    internal static Dictionary<string, JsonObject> WalletsOf(Transaction tx, TxPayload? payload, State.LedgerState state)
    {
        var wallets = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (payload is null) return wallets;
        foreach (var sig in tx.Signatures)
            if (sig.IsWallet && Rules.WalletSignatures.TypedDataFor(tx, payload, id => Rules.WalletSignatures.Facility(state.Node(id))) is { } data)
                wallets[sig.Kid] = data.ToJson(state.WalletDomain);
        return wallets;
    }

    public string ToJsonString() => ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
}
