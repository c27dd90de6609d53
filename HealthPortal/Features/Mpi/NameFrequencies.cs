namespace HealthPortal.Features.Mpi;

/// <summary>
/// How common each name is in a register, for value-specific weights (Winkler's frequency-based matching). Fellegi–
/// Sunter's u for "names agree exactly" is an average over all names; in Myanmar a few syllables make up a large share
/// of names, so two different people called "Aung Aung" agree far more often than two called "Thazin Nandar Pwint".
/// The exact-name weight is moved by log2(Σf² / f(name)): up for a rare name, down for a common one, within ±6 bits.
/// </summary>
public sealed class NameFrequencies
{
    public static readonly NameFrequencies None = new(new Dictionary<string, double>(StringComparer.Ordinal), 0);

    private readonly Dictionary<string, double> _share;
    private readonly double _sumOfSquares;

    private NameFrequencies(Dictionary<string, double> share, double sumOfSquares) => (_share, _sumOfSquares) = (share, sumOfSquares);

    public static NameFrequencies Of(IEnumerable<MpiRecord> records)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        foreach (var r in records)
        {
            if (r.Name.Compact.Length == 0) continue;
            counts[r.Name.Compact] = counts.GetValueOrDefault(r.Name.Compact) + 1;
            total++;
        }
        if (total == 0) return None;
        var share = counts.ToDictionary(c => c.Key, c => (double)c.Value / total, StringComparer.Ordinal);
        return new NameFrequencies(share, share.Values.Sum(f => f * f));
    }

    /// <summary>Bits to add to the exact-name weight for this name; 0 when the register is unknown or too small to say.</summary>
    public double Adjustment(MpiRecord record)
    {
        if (_sumOfSquares <= 0 || !_share.TryGetValue(record.Name.Compact, out var f)) return 0;
        return Math.Clamp(Math.Log2(_sumOfSquares / f), -6, 6);
    }
}
