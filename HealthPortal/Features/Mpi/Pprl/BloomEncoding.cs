using System.Numerics;

namespace HealthPortal.Features.Mpi.Pprl;

/// <summary>
/// A cryptographic long-term key (CLK): one fixed-length Bloom filter holding every field of a record (Schnell, Bachteler
/// and Reiher 2009). Two nodes that encode under the same consortium secret can tell how alike two records are — the
/// Dice coefficient of their filters — without either seeing the other's demographics.
/// </summary>
public sealed class BloomEncoding : IEquatable<BloomEncoding>
{
    /// <summary>The filter length in bits (1,000, as in the CLK literature; 125 bytes on the wire).</summary>
    public const int Bits = 1_000;

    public const int Bytes = Bits / 8;

    private readonly ulong[] _words;

    private BloomEncoding(ulong[] words) => (_words, Count) = (words, words.Sum(w => BitOperations.PopCount(w)));

    /// <summary>How many bits are set.</summary>
    public int Count { get; }

    internal static BloomEncoding FromPositions(IEnumerable<int> positions)
    {
        var words = new ulong[(Bits + 63) / 64];
        foreach (var p in positions) words[p >> 6] |= 1UL << (p & 63);
        return new BloomEncoding(words);
    }

    /// <summary>The filter as it travels between nodes: <see cref="Bytes"/> bytes, bit i in byte i/8 at position i%8.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Bytes];
        for (var i = 0; i < Bytes; i++) bytes[i] = (byte)(_words[i >> 3] >> ((i & 7) * 8));
        return bytes;
    }

    /// <summary>A filter received from another node; null when it is not exactly <see cref="Bytes"/> bytes.</summary>
    public static BloomEncoding? FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Bytes) return null;
        var words = new ulong[(Bits + 63) / 64];
        for (var i = 0; i < Bytes; i++) words[i >> 3] |= (ulong)bytes[i] << ((i & 7) * 8);
        return new BloomEncoding(words);
    }

    /// <summary>Dice coefficient 2|A∩B| / (|A| + |B|): 1 for identical filters, near 0 for records with nothing in common.</summary>
    public double Dice(BloomEncoding other)
    {
        var total = Count + other.Count;
        if (total == 0) return 0;
        var common = 0;
        for (var i = 0; i < _words.Length; i++) common += BitOperations.PopCount(_words[i] & other._words[i]);
        return 2.0 * common / total;
    }

    public bool Equals(BloomEncoding? other) => other is not null && _words.AsSpan().SequenceEqual(other._words);

    public override bool Equals(object? obj) => Equals(obj as BloomEncoding);

    public override int GetHashCode() => HashCode.Combine(_words[0], _words[1], Count);
}
