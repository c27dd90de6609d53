using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.Transactions;

/// <summary>Reads the wire form of a transaction. Every malformed input yields a typed refusal, never an exception.</summary>
public static class TransactionCodec
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocOptions = new() { MaxDepth = 16, AllowTrailingCommas = false };

    public const int MaxTransactionBytes = 64 * 1024;

    public static Result<Transaction> Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    public static Result<Transaction> Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxTransactionBytes)
            return Fail(LedgerError.MalformedTransaction, $"transaction is {utf8.Length} bytes; at most {MaxTransactionBytes} allowed");
        JsonNode? root;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            root = JsonNode.Parse(ref reader, NodeOptions);
        }
        catch (JsonException e)
        {
            return Fail(LedgerError.MalformedTransaction, "not valid JSON: " + e.Message);
        }
        return FromJson(root);
    }

    public static Result<Transaction> FromJson(JsonNode? root)
    {
        if (root is not JsonObject obj)
            return Fail(LedgerError.MalformedTransaction, "a transaction is a JSON object {type, body, signatures}");
        foreach (var (name, _) in obj)
            if (name is not ("type" or "body" or "signatures"))
                return Fail(LedgerError.MalformedTransaction, $"unexpected member '{name}'");
        if (obj["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type))
            return Fail(LedgerError.MissingField, "$.type: a string is required");
        if (!TxType.All.Contains(type))
            return Fail(LedgerError.UnknownType, $"$.type: unknown transaction type '{type}'");
        if (obj["body"] is not JsonObject body)
            return Fail(LedgerError.MissingField, "$.body: an object is required");

        var signatures = new List<TxSignature>();
        switch (obj["signatures"])
        {
            case null:
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not JsonObject s
                        || s["kid"] is not JsonValue kidValue || !kidValue.TryGetValue<string>(out var kid)
                        || s["sig"] is not JsonValue sigValue || !sigValue.TryGetValue<string>(out var sigText))
                        return Fail(LedgerError.MalformedTransaction, $"$.signatures[{i}]: expected {{\"kid\": string, \"sig\": base64url}}");
                    if (s.Count != 2)
                        return Fail(LedgerError.MalformedTransaction, $"$.signatures[{i}]: only kid and sig are allowed");
                    if (!Base64Url.TryDecode(sigText, out var sig) || sig.Length != Es256.SignatureLength)
                        return Fail(LedgerError.BadSignature, $"$.signatures[{i}].sig: expected {Es256.SignatureLength} bytes of base64url (IEEE P1363 r||s)");
                    signatures.Add(new TxSignature(kid, sig));
                }
                break;
            default:
                return Fail(LedgerError.MalformedTransaction, "$.signatures: an array is required");
        }

        // Detach the body from the parsed document: it becomes the transaction's own, immutable copy.
        obj.Remove("body");
        var created = Transaction.Create(type, body, signatures, cloneBody: false);
        return created.IsSuccess ? created : Fail(created.Error, created.Message!);
    }

    private static Result<Transaction> Fail(LedgerError error, string message) => Result<Transaction>.Fail(error, message);
}
