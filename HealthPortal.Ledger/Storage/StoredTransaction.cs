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

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_signatureBuffer;

    /// <summary>
    /// <c>[{"kid":…,"sig":…},…]</c>, byte for byte what a <see cref="JsonArray"/> of those objects serializes to
    /// (the same writer and default encoder), written straight to a reused buffer.
    /// </summary>
    public static string EncodeSignatures(IReadOnlyList<TxSignature> signatures)
    {
        var buffer = t_signatureBuffer ??= new System.Buffers.ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            Span<byte> sig = stackalloc byte[128];
            foreach (var s in signatures)
            {
                writer.WriteStartObject();
                writer.WriteString("kid"u8, s.Kid);
                // base64url never needs escaping, so its ASCII bytes are written as they are.
                var length = System.Buffers.Text.Base64Url.GetEncodedLength(s.Signature.Length);
                var encoded = length <= sig.Length ? sig[..length] : new byte[length];
                System.Buffers.Text.Base64Url.EncodeToUtf8(s.Signature, encoded);
                writer.WriteString("sig"u8, encoded);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
