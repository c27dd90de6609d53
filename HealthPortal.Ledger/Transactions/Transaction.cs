using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// A ledger transaction: <c>{type, body}</c> plus signatures. The id is SHA-256 of the RFC 8785 canonical bytes
/// of <c>{"body":…,"type":…}</c>; signatures are never part of it because ECDSA signatures are malleable.
/// Instances are immutable: the body is deep-cloned on construction and never handed out for mutation.
/// </summary>
public sealed class Transaction
{
    private readonly JsonObject _body;
    private string? _idText;

    private Transaction(string type, JsonObject body, byte[] signingBytes, Range bodyRange, IReadOnlyList<TxSignature> signatures)
    {
        Type = type;
        _body = body;
        SigningBytes = signingBytes;
        BodyRange = bodyRange;
        Id = SHA256.HashData(signingBytes);
        Signatures = signatures;
    }

    public string Type { get; }

    /// <summary>The canonical bytes every signer signs and the id is computed from.</summary>
    public byte[] SigningBytes { get; }

    /// <summary>
    /// Where the canonical body bytes sit inside <see cref="SigningBytes"/>, recorded when the signing bytes are
    /// written (see <see cref="SigningBytesOf(string, ReadOnlySpan{byte}, out Range)"/>), so the store keeps exactly the body without knowing the envelope.
    /// </summary>
    public Range BodyRange { get; }

    /// <summary>The RFC 8785 canonical bytes of the body: what the store keeps and <see cref="SigningBytesOf(string, ReadOnlySpan{byte}, out Range)"/> wraps.</summary>
    public ReadOnlySpan<byte> CanonicalBody => SigningBytes.AsSpan(BodyRange);

    public byte[] Id { get; }

    public string IdText => _idText ??= Base64Url.Encode(Id);

    public IReadOnlyList<TxSignature> Signatures { get; }

    private string? _storedSignatures;

    /// <summary>
    /// The signature list exactly as the store keeps it and the block's sigRoot hashes it; encoded once per instance
    /// (signatures never change: <see cref="WithSignature"/> makes a new transaction).
    /// </summary>
    internal string StoredSignatures => _storedSignatures ??= Storage.StoredTransaction.EncodeSignatures(Signatures);

    /// <summary>A read-only view of the body. Do not mutate it.</summary>
    public JsonObject Body => _body;

    /// <summary>The body's <c>ts</c> in Unix milliseconds, or 0 when missing (validation reports it).</summary>
    public long Timestamp => _body["ts"] is JsonValue v && v.TryGetValue<long>(out var ts) ? ts : 0;

    /// <summary>Builds an unsigned transaction. Fails (as a value) when the body is not canonicalisable, e.g. holds floats.</summary>
    public static Result<Transaction> Create(string type, JsonObject body) => Create(type, body, [], cloneBody: true);

    internal static Result<Transaction> Create(string type, JsonObject body, IReadOnlyList<TxSignature> signatures, bool cloneBody)
    {
        if (!TxType.All.Contains(type))
            return Result<Transaction>.Fail(LedgerError.UnknownType, $"unknown transaction type '{type}'");
        var ownBody = cloneBody ? (JsonObject)body.DeepClone() : body;
        var canonicalBody = Jcs.Canonicalize(ownBody);
        if (!canonicalBody.IsSuccess)
            return Result<Transaction>.Fail(
                canonicalBody.Error!.Contains(JcsWriter.FloatMessage, StringComparison.Ordinal) ? LedgerError.FloatNotAllowed : LedgerError.InvalidField,
                "$.body: " + canonicalBody.Error);
        var signingBytes = SigningBytesOf(type, canonicalBody.Bytes!, out var bodyRange);
        return Result<Transaction>.Ok(new Transaction(type, ownBody, signingBytes, bodyRange, signatures));
    }

    /// <summary>
    /// Canonical bytes of <c>{"body":B,"type":T}</c>, written directly: "body" sorts before "type" in RFC 8785 order
    /// and every type name is plain ASCII, so this equals canonicalising the envelope object without copying the body.
    /// </summary>
    internal static byte[] SigningBytesOf(string type, ReadOnlySpan<byte> canonicalBody) => SigningBytesOf(type, canonicalBody, out _);

    /// <summary>As above, also saying where in the result the body was written.</summary>
    internal static byte[] SigningBytesOf(string type, ReadOnlySpan<byte> canonicalBody, out Range bodyRange)
    {
        ReadOnlySpan<byte> head = "{\"body\":"u8;
        ReadOnlySpan<byte> mid = ",\"type\":\""u8;
        var bytes = new byte[head.Length + canonicalBody.Length + mid.Length + type.Length + 2];
        bodyRange = new Range(head.Length, head.Length + canonicalBody.Length);
        var span = bytes.AsSpan();
        head.CopyTo(span); span = span[head.Length..];
        canonicalBody.CopyTo(span); span = span[canonicalBody.Length..];
        mid.CopyTo(span); span = span[mid.Length..];
        System.Text.Encoding.ASCII.GetBytes(type, span); span = span[type.Length..];
        span[0] = (byte)'"'; span[1] = (byte)'}';
        return bytes;
    }

    /// <summary>Returns a copy carrying one more signature over <see cref="SigningBytes"/>.</summary>
    public Transaction WithSignature(string kid, byte[] signature)
        => new(Type, _body, SigningBytes, BodyRange, [.. Signatures, new TxSignature(kid, signature)]);

    /// <summary>Signs <see cref="SigningBytes"/> with a server-held key and returns the signed copy.</summary>
    public Transaction SignWith(LedgerKeyPair key) => WithSignature(key.Id, key.Sign(SigningBytes));

    /// <summary>The wire form: <c>{"type":…,"body":…,"signatures":[{"kid":…,"sig":…}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var sigs = new JsonArray();
        foreach (var s in Signatures)
            sigs.Add(new JsonObject { ["kid"] = s.Kid, ["sig"] = Base64Url.Encode(s.Signature) });
        return new JsonObject { ["type"] = Type, ["body"] = _body.DeepClone(), ["signatures"] = sigs };
    }

    public string ToJsonString() => ToJson().ToJsonString();

    public string? GetString(string name) => _body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
