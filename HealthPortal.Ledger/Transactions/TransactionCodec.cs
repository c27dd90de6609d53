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
        return TryParseWellFormed(utf8) is { } transaction ? Result<Transaction>.Ok(transaction) : ParseGeneral(utf8);
    }

    /// <summary>The general reader: every input, every refusal with its code and message.</summary>
    internal static Result<Transaction> ParseGeneral(ReadOnlySpan<byte> utf8)
    {
        JsonNode? root;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            root = JsonNode.Parse(ref reader, NodeOptions);
            // One transaction per document: anything after it (other than whitespace) makes the reader throw.
            if (reader.Read()) return Fail(LedgerError.MalformedTransaction, "unexpected content after the transaction object");
        }
        catch (JsonException e)
        {
            return Fail(LedgerError.MalformedTransaction, "not valid JSON: " + e.Message);
        }
        try
        {
            return FromJson(root);
        }
        catch (ArgumentException e)
        {
            // JsonObject reports a repeated member name only when it is first enumerated.
            return Fail(LedgerError.MalformedTransaction, "a member name appears twice: " + e.Message);
        }
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
                    if (!Base64Url.TryDecode(sigText, out var sig) || !TxSignature.HasSignatureLength(kid, sig))
                        return Fail(LedgerError.BadSignature, $"$.signatures[{i}].sig: expected {Es256.SignatureLength} bytes of base64url (IEEE P1363 r||s), or {Crypto.Wallet.WalletVerifier.SignatureLength} (r||s||v) from a wallet");
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

    /// <summary>
    /// The fast path for what nearly every submission is: a well-formed <c>{type, body, signatures}</c> of a known type
    /// whose body holds only strings, integers, booleans, null, arrays and objects without repeated names, and whose
    /// signatures are <c>{kid, sig}</c> pairs of 64 bytes. It reads the bytes once with a <see cref="Utf8JsonReader"/>
    /// into a body of plain values (each string decoded once, no parsed document kept alive), then builds the
    /// transaction exactly as the general path does. For anything else it returns null, and the general path gives
    /// the answer — so every refusal, and its message, is the general path's.
    /// </summary>
    internal static Transaction? TryParseWellFormed(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            string? type = null;
            JsonObject? body = null;
            List<TxSignature>? signatures = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (type is not null || !reader.Read() || reader.TokenType != JsonTokenType.String) return null;
                    type = reader.GetString();
                }
                else if (reader.ValueTextEquals("body"u8))
                {
                    if (body is not null || !reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
                    if ((body = ReadObject(ref reader)) is null) return null;
                }
                else if (reader.ValueTextEquals("signatures"u8))
                {
                    if (signatures is not null || !reader.Read() || reader.TokenType != JsonTokenType.StartArray) return null;
                    if ((signatures = ReadSignatures(ref reader)) is null) return null;
                }
                else return null;
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null; // Read throws on trailing content
            if (type is null || body is null || !TxType.All.Contains(type)) return null;
            var created = Transaction.Create(type, body, signatures ?? [], cloneBody: false);
            return created.IsSuccess ? created.Value : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Invalid JSON, invalid UTF-8 or a lone surrogate in a string: the general path reports it.
            return null;
        }
    }

    private static JsonObject? ReadObject(ref Utf8JsonReader reader)
    {
        var obj = new JsonObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (obj.ContainsKey(name) || !reader.Read()) return null;
            if (!TryReadValue(ref reader, out var value)) return null;
            obj.Add(name, value);
        }
        return reader.TokenType == JsonTokenType.EndObject ? obj : null;
    }

    private static JsonArray? ReadArray(ref Utf8JsonReader reader)
    {
        var array = new JsonArray();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!TryReadValue(ref reader, out var value)) return null;
            array.Add(value);
        }
        return array;
    }

    private static bool TryReadValue(ref Utf8JsonReader reader, out JsonNode? value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = JsonValue.Create(reader.GetString()!);
                return true;
            case JsonTokenType.Number when reader.TryGetInt64(out var integer) && IsPlainDecimal(reader.ValueSpan, integer):
                value = JsonValue.Create(integer);
                return true;
            case JsonTokenType.True or JsonTokenType.False:
                value = JsonValue.Create(reader.GetBoolean());
                return true;
            case JsonTokenType.Null:
                value = null;
                return true;
            case JsonTokenType.StartObject:
                value = ReadObject(ref reader);
                return value is not null;
            case JsonTokenType.StartArray:
                value = ReadArray(ref reader);
                return value is not null;
            default:
                value = null; // a number that is not an integer the ledger accepts, and anything unexpected
                return false;
        }
    }

    /// <summary>True when the number is written as its plain decimal (not -0), so the plain value re-serializes as the text did.</summary>
    private static bool IsPlainDecimal(ReadOnlySpan<byte> text, long value)
    {
        Span<byte> plain = stackalloc byte[20];
        return value.TryFormat(plain, out var written, default, System.Globalization.CultureInfo.InvariantCulture) && text.SequenceEqual(plain[..written]);
    }

    private static List<TxSignature>? ReadSignatures(ref Utf8JsonReader reader)
    {
        var signatures = new List<TxSignature>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? kid = null, sigText = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("kid"u8))
                {
                    if (kid is not null || !reader.Read() || reader.TokenType != JsonTokenType.String) return null;
                    kid = reader.GetString();
                }
                else if (reader.ValueTextEquals("sig"u8))
                {
                    if (sigText is not null || !reader.Read() || reader.TokenType != JsonTokenType.String) return null;
                    sigText = reader.GetString();
                }
                else return null;
            }
            if (kid is null || sigText is null || !Base64Url.TryDecode(sigText, out var sig) || !TxSignature.HasSignatureLength(kid, sig)) return null;
            signatures.Add(new TxSignature(kid, sig));
        }
        return reader.TokenType == JsonTokenType.EndArray ? signatures : null;
    }

    private static Result<Transaction> Fail(LedgerError error, string message) => Result<Transaction>.Fail(error, message);
}
