using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Canonical;

namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// Hashcash over the canonical body: a registration's <c>body.pow</c> counter is chosen so that the transaction id
/// (SHA-256 of the canonical <c>{body, type}</c>) starts with at least the genesis number of zero bits.
/// The browser solves the same puzzle over the same bytes.
/// </summary>
public static class ProofOfWork
{
    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0) { bits += 8; continue; }
            return bits + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
        }
        return bits;
    }

    public static bool Satisfies(Transaction tx, int bits) => LeadingZeroBits(tx.Id) >= bits;

    /// <summary>
    /// The hashcash puzzle of <paramref name="body"/> (its <c>pow</c> member is set to "0"): the canonical bytes of
    /// <c>{body, type}</c> before and after the counter's digits. The id of the transaction with counter <c>n</c> is
    /// SHA-256(prefix ‖ decimal(n) ‖ suffix), so a solver that never sees the body (a browser's worker) can search for
    /// <c>n</c> and whoever holds the body can check the answer against exactly these bytes.
    /// </summary>
    public static (byte[] Prefix, byte[] Suffix) Challenge(string type, JsonObject body)
    {
        body["pow"] = "0";
        var signing = Transaction.SigningBytesOf(type, Jcs.CanonicalizeOrThrow(body));
        // "pow":"…" is the only place the marker can occur raw: quotes inside strings are escaped in canonical JSON.
        var marker = "\"pow\":\"0\""u8;
        var at = signing.AsSpan().IndexOf(marker);
        if (at < 0) throw new InvalidOperationException("pow member not found in canonical bytes");
        return (signing.AsSpan(0, at + marker.Length - 2).ToArray(), signing.AsSpan(at + marker.Length - 1).ToArray());
    }

    /// <summary>
    /// Finds a counter for <paramref name="body"/> (its <c>pow</c> member is overwritten) so that the id meets
    /// <paramref name="bits"/>. Expected work is 2^bits hashes; <paramref name="progress"/> gets the attempts so far.
    /// </summary>
    public static JsonObject Solve(string type, JsonObject body, int bits, CancellationToken cancellationToken = default, IProgress<long>? progress = null)
    {
        var solved = (JsonObject)body.DeepClone();
        var (prefix, suffix) = Challenge(type, solved);
        var buffer = new byte[prefix.Length + 20 + suffix.Length];
        prefix.CopyTo(buffer, 0);
        Span<byte> hash = stackalloc byte[32];
        for (ulong counter = 0; ; counter++)
        {
            Utf8Formatter.TryFormat(counter, buffer.AsSpan(prefix.Length), out var digits);
            suffix.CopyTo(buffer, prefix.Length + digits);
            SHA256.HashData(buffer.AsSpan(0, prefix.Length + digits + suffix.Length), hash);
            if (LeadingZeroBits(hash) >= bits)
            {
                solved["pow"] = counter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return solved;
            }
            if ((counter & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((long)counter);
            }
        }
    }
}
