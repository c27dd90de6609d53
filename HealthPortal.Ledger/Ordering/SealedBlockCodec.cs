using System.Buffers.Binary;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// The bytes a sealed block travels in between nodes (one Raft log entry), layout version 1:
/// <c>"HPSB"</c>, version byte, u32 header length + canonical header bytes, u16 signature length + proposer signature,
/// u32 transaction count, then per transaction u32 length + its wire JSON (UTF-8). All integers big-endian.
/// Nothing in it is trusted: the receiver recomputes every id and checks every signature and root.
/// </summary>
public static class SealedBlockCodec
{
    public const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "HPSB"u8;

    /// <summary>At most this many transactions per block on the wire, so a hostile length cannot make a node allocate without bound.</summary>
    public const int MaxTransactions = 100_000;

    public static byte[] Encode(ReadOnlySpan<byte> headerBytes, ReadOnlySpan<byte> signature, IReadOnlyList<Transaction> transactions)
    {
        var bodies = new byte[transactions.Count][];
        var size = Magic.Length + 1 + 4 + headerBytes.Length + 2 + signature.Length + 4;
        for (var i = 0; i < bodies.Length; i++)
        {
            bodies[i] = System.Text.Encoding.UTF8.GetBytes(transactions[i].ToJsonString());
            size += 4 + bodies[i].Length;
        }
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version;
        span = span[5..];
        BinaryPrimitives.WriteInt32BigEndian(span, headerBytes.Length);
        headerBytes.CopyTo(span[4..]);
        span = span[(4 + headerBytes.Length)..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)signature.Length);
        signature.CopyTo(span[2..]);
        span = span[(2 + signature.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, bodies.Length);
        span = span[4..];
        foreach (var body in bodies)
        {
            BinaryPrimitives.WriteInt32BigEndian(span, body.Length);
            body.CopyTo(span[4..]);
            span = span[(4 + body.Length)..];
        }
        return bytes;
    }

    /// <summary>Splits the bytes into header, signature and parsed transactions; anything malformed is a refusal, never an exception.</summary>
    public static Result<DecodedBlock> Decode(ReadOnlySpan<byte> bytes)
    {
        static Result<DecodedBlock> Bad(string why) => Result<DecodedBlock>.Fail(LedgerError.MalformedTransaction, "sealed block: " + why);
        if (bytes.Length < 5 || !bytes[..4].SequenceEqual(Magic)) return Bad("does not start with HPSB");
        if (bytes[4] != Version) return Bad($"layout version {bytes[4]} is not supported");
        var rest = bytes[5..];
        if (rest.Length < 4) return Bad("truncated before the header");
        var headerLength = BinaryPrimitives.ReadInt32BigEndian(rest);
        if (headerLength < 0 || headerLength > rest.Length - 4) return Bad("header length runs past the end");
        var header = rest.Slice(4, headerLength).ToArray();
        rest = rest[(4 + headerLength)..];
        if (rest.Length < 2) return Bad("truncated before the signature");
        var signatureLength = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (signatureLength > rest.Length - 2) return Bad("signature length runs past the end");
        var signature = rest.Slice(2, signatureLength).ToArray();
        rest = rest[(2 + signatureLength)..];
        if (rest.Length < 4) return Bad("truncated before the transaction count");
        var count = BinaryPrimitives.ReadInt32BigEndian(rest);
        if (count < 0 || count > MaxTransactions) return Bad($"transaction count {count} is out of range");
        rest = rest[4..];
        var transactions = new List<Transaction>(Math.Min(count, 4096));
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 4) return Bad($"truncated at transaction {i}");
            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > rest.Length - 4) return Bad($"transaction {i} runs past the end");
            var parsed = TransactionCodec.Parse(rest.Slice(4, length));
            if (!parsed.IsSuccess) return Result<DecodedBlock>.Fail(parsed.Error, $"sealed block: transaction {i}: {parsed.Message}");
            transactions.Add(parsed.Value!);
            rest = rest[(4 + length)..];
        }
        if (!rest.IsEmpty) return Bad($"{rest.Length} bytes follow the last transaction");
        return Result<DecodedBlock>.Ok(new DecodedBlock(header, signature, transactions));
    }
}

/// <summary>A sealed block split into its parts, none of them checked yet.</summary>
public sealed record DecodedBlock(byte[] HeaderBytes, byte[] Signature, IReadOnlyList<Transaction> Transactions);
