using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Receipts;

/// <summary>
/// Checks a receipt offline: the transaction id, every signature on it, the proposer's signature on the header and
/// the inclusion proof to the header's Merkle root. It proves the block named the transaction; whether the proposer
/// was entitled to seal is a question for the chain (<c>ledger verify</c>).
/// </summary>
public static class ReceiptVerifier
{
    public static Validation Verify(string json)
    {
        try { return Verify(JsonNode.Parse(json)); }
        catch (JsonException e) { return Validation.Fail(LedgerError.MalformedTransaction, "receipt is not valid JSON: " + e.Message); }
    }

    public static Validation Verify(JsonNode? node)
    {
        if (node is not JsonObject o || o["receipt"] is null)
            return Validation.Fail(LedgerError.MalformedTransaction, "not a receipt (missing \"receipt\" version)");
        try
        {
            if (o["receipt"]!.GetValue<int>() != Receipt.FormatVersion)
                return Validation.Fail(LedgerError.InvalidField, $"receipt version {o["receipt"]} is not supported");
            var parsed = TransactionCodec.FromJson(o["transaction"]?.DeepClone());
            if (!parsed.IsSuccess) return parsed.ToValidation();
            var tx = parsed.Value!;
            if (tx.IdText != o["txId"]?.GetValue<string>())
                return Validation.Fail(LedgerError.InvalidField, $"transaction id is {tx.IdText}, the receipt says {o["txId"]}");

            var keys = new Dictionary<string, Jwk>(StringComparer.Ordinal);
            foreach (var (kid, value) in o["keys"]!.AsObject())
            {
                if (!Jwk.TryParse(value, out var jwk, out var error)) return Validation.Fail(LedgerError.InvalidField, $"key {kid}: {error}");
                if (jwk!.Thumbprint() != kid) return Validation.Fail(LedgerError.InvalidField, $"key {kid} does not match its thumbprint");
                keys[kid] = jwk;
            }
            foreach (var sig in tx.Signatures)
            {
                if (sig.IsWallet)
                {
                    if (VerifyWallet(tx, sig, o["wallets"]?[sig.Kid]) is { IsValid: false } wallet) return wallet;
                    continue;
                }
                if (!keys.TryGetValue(sig.Kid, out var jwk)) return Validation.Fail(LedgerError.UnknownSigner, $"no key for signer {sig.Kid}");
                using var ecdsa = System.Security.Cryptography.ECDsa.Create(jwk.ToParameters());
                if (!Es256.Verify(ecdsa, tx.SigningBytes, sig.Signature))
                    return Validation.Fail(LedgerError.BadSignature, $"signature by {sig.Kid} does not verify");
            }

            var headerBytes = Jcs.Canonicalize(o["header"]);
            if (!headerBytes.IsSuccess) return Validation.Fail(LedgerError.InvalidField, "header: " + headerBytes.Error);
            var header = BlockHeader.Parse(headerBytes.Bytes!);
            if (!header.IsSuccess) return header.ToValidation();
            var h = header.Value!;
            if (!keys.TryGetValue(h.Proposer, out var proposer)) return Validation.Fail(LedgerError.UnknownSigner, $"no key for proposer {h.Proposer}");
            if (!Base64Url.TryDecode(o["headerSignature"]?.GetValue<string>(), out var headerSig))
                return Validation.Fail(LedgerError.BadSignature, "header signature is not base64url");
            using (var ecdsa = System.Security.Cryptography.ECDsa.Create(proposer.ToParameters()))
                if (!Es256.Verify(ecdsa, headerBytes.Bytes!, headerSig))
                    return Validation.Fail(LedgerError.BadSignature, $"block {h.Height}: proposer signature does not verify");

            var height = o["height"]!.GetValue<long>();
            if (height != h.Height) return Validation.Fail(LedgerError.InvalidField, $"receipt height {height} differs from the header's {h.Height}");
            var proof = new List<byte[]>();
            foreach (var p in o["proof"]!.AsArray())
            {
                if (!Base64Url.TryDecode(p!.GetValue<string>(), out var hash)) return Validation.Fail(LedgerError.InvalidField, "proof hash is not base64url");
                proof.Add(hash);
            }
            var inclusion = MerkleVerifier.VerifyInclusion(o["index"]!.GetValue<int>(), h.TxCount, MerkleHash.Leaf(tx.Id), proof, h.TxRoot);
            return inclusion.IsValid
                ? Validation.Ok
                : Validation.Fail(LedgerError.InvalidField, $"inclusion proof: {inclusion.Error}: {inclusion.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or JsonException)
        {
            return Validation.Fail(LedgerError.MalformedTransaction, "receipt is malformed: " + e.Message);
        }
    }

    /// <summary>
    /// A wallet signature, offline: the receipt's typed data for the wallet must be exactly what the transaction gives
    /// (all fields rebuilt from the body and id; the facility's name, kind and endpoint, which live in ledger state, are
    /// taken as presented) and the signature must recover the wallet's address from it. Like the keys of ES256 signers, the
    /// domain is taken from the receipt: whether it is this chain's is a question for the chain (<c>ledger verify</c>).
    /// </summary>
    private static Validation VerifyWallet(Transaction tx, TxSignature sig, JsonNode? presented)
    {
        if (presented is not JsonObject typed || typed["domain"] is not JsonObject d
            || d["chainId"] is not JsonValue chainValue || !chainValue.TryGetValue<long>(out var chainId)
            || d["verifyingContract"] is not JsonValue contractValue || !contractValue.TryGetValue<string>(out var contract)
            || !Crypto.Wallet.EthereumAddress.TryParse(contract, out var contractAddress, out _) || chainId < 1)
            return Validation.Fail(LedgerError.UnknownSigner, $"no typed data for wallet signer {sig.Kid}");
        var domain = new Crypto.Wallet.WalletDomain(chainId, contractAddress.ToString());
        // What lives in ledger state rather than in the transaction (a facility's name, and for an approval its kind
        // and endpoint) is taken as presented; every other member is rebuilt from the transaction.
        string? Presented(string member) => typed["message"]?[member] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        var facility = Presented("facilityName") is { } facilityName ? new Rules.WalletFacility(facilityName, Presented("kind"), Presented("endpoint")) : null;
        var data = Rules.WalletSignatures.TypedDataFor(tx, _ => facility);
        if (data is null) return Validation.Fail(LedgerError.SignerNotAuthorized, $"a wallet cannot sign {tx.Type}");
        var presentedCheck = Crypto.Wallet.WalletVerifier.CheckPresented(typed, data, domain);
        if (!presentedCheck.IsValid)
            return Validation.Fail(LedgerError.WalletSignatureRefused, $"wallet {sig.Kid}: {presentedCheck.Error}: {presentedCheck.Message}");
        var result = Crypto.Wallet.WalletVerifier.Verify(data, domain, sig.Kid, sig.Signature);
        return result.IsValid
            ? Validation.Ok
            : Validation.Fail(LedgerError.WalletSignatureRefused, $"wallet signature by {sig.Kid}: {result.Error}: {result.Message}");
    }
}
