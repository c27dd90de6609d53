using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.Blocks;

/// <summary>
/// A block header, layout version <see cref="CurrentVersion"/>. Its canonical bytes (RFC 8785) are what the proposer
/// signs and what the header hash covers; the next header links to that hash.
/// </summary>
/// <param name="Previous">Hash of the previous header (32 zero bytes for height 0).</param>
/// <param name="TxRoot">RFC 6962 Merkle root over the ids of the block's transactions, in order.</param>
/// <param name="SigRoot">RFC 6962 Merkle root over SHA-256 of each transaction's stored signature list, in order.
/// Ids leave signatures out (ECDSA signatures are malleable), so without this root a stored signature could be
/// swapped for its (r, n−s) twin or reordered unnoticed; with it the block commits to exactly what was accepted.</param>
/// <param name="History">RFC 6962 root over the hashes of all earlier headers (heights 0..Height-1).</param>
/// <param name="Genesis">SHA-256 of the canonical genesis document; set at height 0 only.</param>
public sealed record BlockHeader(
    int Version, string Chain, long Height, byte[] Previous, byte[] TxRoot, byte[] SigRoot, int TxCount, long TxTotal,
    long Timestamp, string Proposer, byte[] History, byte[]? Genesis)
{
    public const int CurrentVersion = 1;

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["v"] = Version,
            ["chain"] = Chain,
            ["height"] = Height,
            ["prev"] = Base64Url.Encode(Previous),
            ["txRoot"] = Base64Url.Encode(TxRoot),
            ["sigRoot"] = Base64Url.Encode(SigRoot),
            ["txCount"] = TxCount,
            ["txTotal"] = TxTotal,
            ["ts"] = Timestamp,
            ["proposer"] = Proposer,
            ["history"] = Base64Url.Encode(History),
        };
        if (Genesis is not null) o["genesis"] = Base64Url.Encode(Genesis);
        return o;
    }

    /// <summary>The leaf data of one transaction in <see cref="SigRoot"/>: SHA-256 of its signature list exactly as stored.</summary>
    public static byte[] SignatureDigest(string storedSignatures) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(storedSignatures));

    /// <summary>The <see cref="SigRoot"/> over the stored signature lists of a block's transactions.</summary>
    public static byte[] SignatureRoot(IEnumerable<string> storedSignatures)
        => new BlockMerkleTree(storedSignatures.Select(SignatureDigest).ToList()).Root;

    public byte[] CanonicalBytes() => Jcs.CanonicalizeOrThrow(ToJson());

    public static byte[] HashOf(ReadOnlySpan<byte> canonicalHeader) => SHA256.HashData(canonicalHeader);

    /// <summary>Parses canonical header bytes; the bytes must be exactly canonical (re-encoding gives the same bytes).</summary>
    public static Result<BlockHeader> Parse(ReadOnlySpan<byte> canonical)
    {
        try
        {
            var o = JsonNode.Parse(canonical)!.AsObject();
            var header = new BlockHeader(
                o["v"]!.GetValue<int>(), o["chain"]!.GetValue<string>(), o["height"]!.GetValue<long>(),
                Base64Url.Decode(o["prev"]!.GetValue<string>()), Base64Url.Decode(o["txRoot"]!.GetValue<string>()),
                Base64Url.Decode(o["sigRoot"]!.GetValue<string>()),
                o["txCount"]!.GetValue<int>(), o["txTotal"]!.GetValue<long>(), o["ts"]!.GetValue<long>(),
                o["proposer"]!.GetValue<string>(), Base64Url.Decode(o["history"]!.GetValue<string>()),
                o["genesis"] is { } g ? Base64Url.Decode(g.GetValue<string>()) : null);
            if (header.Version != CurrentVersion)
                return Result<BlockHeader>.Fail(LedgerError.InvalidField, $"header version {header.Version} is not supported");
            if (!header.CanonicalBytes().AsSpan().SequenceEqual(canonical))
                return Result<BlockHeader>.Fail(LedgerError.MalformedTransaction, "header bytes are not canonical");
            return Result<BlockHeader>.Ok(header);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException or KeyNotFoundException)
        {
            return Result<BlockHeader>.Fail(LedgerError.MalformedTransaction, "header is malformed: " + e.Message);
        }
    }
}
