using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HealthPortal.Features.Mpi.Pprl;

/// <summary>
/// Encodes a normalised <see cref="MpiRecord"/> into a <see cref="BloomEncoding"/> under the consortium's linkage
/// secret. Each field is cut into tokens — the romanised name's bigrams (of the canonical syllables, so honorifics,
/// spacing and known romanisation variants are gone before hashing), the Burmese-script name's bigrams, the birth date
/// whole and in parts (year; day and month in either order, which survive a swapped day/month and a mistyped year),
/// sex, the NRC (whole, and its card number alone), the phone and the township — and each token sets k bits chosen by
/// double hashing with two HMAC-SHA256 keys derived from the secret (g_i = h1 + i·h2 mod 1,000, Schnell et al. 2009).
/// Tokens are prefixed with their field so "moe" in a name and in a township set different bits; more bits (k) for a
/// field make it weigh more in the Dice coefficient.
/// Without the secret the bits cannot be tested for a guessed value, which is why the secret is consortium
/// configuration and never in the repository (docs/mpi.md, "Cross-node candidates").
/// </summary>
public sealed class ClkEncoder
{
    /// <summary>Bits per token, per field: identifying fields weigh more; name bigrams are many, so fewer bits each.</summary>
    public static class K
    {
        public const int NameBigram = 12, BurmeseBigram = 6, BirthDate = 30, BirthPart = 10, Sex = 4, Nrc = 25, NrcNumber = 15, Phone = 20, Township = 8;
    }

    /// <summary>The shortest secret accepted (bytes): the HMAC keys must not be guessable.</summary>
    public const int MinimumSecretBytes = 32;

    private readonly byte[] _key1;
    private readonly byte[] _key2;

    public ClkEncoder(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinimumSecretBytes) throw new ArgumentException($"the linkage secret must be at least {MinimumSecretBytes} bytes", nameof(secret));
        // Two independent keys from one secret (HKDF-like: HMAC of fixed labels), so h1 and h2 are unrelated functions.
        _key1 = HMACSHA256.HashData(secret, "HP-CLK-V1 h1"u8);
        _key2 = HMACSHA256.HashData(secret, "HP-CLK-V1 h2"u8);
    }

    public BloomEncoding Encode(MpiRecord record)
    {
        var positions = new List<int>(512);
        foreach (var (token, k) in Tokens(record)) Positions(token, k, positions);
        return BloomEncoding.FromPositions(positions);
    }

    /// <summary>The tokens of a record and the bits each sets (exposed for tests and the docs).</summary>
    public static IEnumerable<(string Token, int K)> Tokens(MpiRecord r)
    {
        var inv = CultureInfo.InvariantCulture;
        if (r.Name.Latin.Length > 0)
            foreach (var g in Bigrams("_" + r.Name.Latin.Replace(' ', '_') + "_")) yield return ("n:" + g, K.NameBigram);
        if (r.Name.Burmese.Length > 0)
            foreach (var g in Bigrams("_" + r.Name.Burmese + "_")) yield return ("b:" + g, K.BurmeseBigram);
        if (r.BirthDate is { } d)
        {
            yield return ("d:" + d.ToString("yyyy-MM-dd", inv), K.BirthDate);
            yield return ("y:" + d.Year.ToString(inv), K.BirthPart);
            yield return (string.Create(inv, $"dm:{Math.Min(d.Day, d.Month)}-{Math.Max(d.Day, d.Month)}"), K.BirthPart);
        }
        if (r.Sex is { } sex) yield return ("s:" + sex, K.Sex);
        if (r.Nrc is { } nrc)
        {
            yield return ("c:" + nrc, K.Nrc);
            yield return ("cn:" + nrc.Number, K.NrcNumber);
        }
        if (r.Phone.Length > 0) yield return ("p:" + r.Phone, K.Phone);
        if (r.Township.Length > 0) yield return ("t:" + r.Township, K.Township);
    }

    private static IEnumerable<string> Bigrams(string s)
    {
        var text = new StringInfo(s);
        // Grapheme clusters, not UTF-16 units: a Burmese syllable's stacked marks stay with their consonant.
        var units = Enumerable.Range(0, text.LengthInTextElements).Select(i => text.SubstringByTextElements(i, 1)).ToArray();
        for (var i = 0; i + 1 < units.Length; i++) yield return units[i] + units[i + 1];
    }

    private void Positions(string token, int k, List<int> into)
    {
        var bytes = Encoding.UTF8.GetBytes(token);
        var h1 = BinaryPrimitives.ReadUInt64LittleEndian(HMACSHA256.HashData(_key1, bytes));
        var h2 = BinaryPrimitives.ReadUInt64LittleEndian(HMACSHA256.HashData(_key2, bytes));
        for (ulong i = 0; i < (ulong)k; i++) into.Add((int)((h1 + i * h2) % BloomEncoding.Bits));
    }
}
