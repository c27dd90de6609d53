namespace HealthPortal.Features.Mpi;

/// <summary>How a name's commonness is estimated for <see cref="NameFrequencies"/>.</summary>
public enum NameWeighting
{
    /// <summary>The share of the register's records with exactly this (canonical) name.</summary>
    WholeName,
    /// <summary>
    /// The product of the register's shares of each syllable, with the share of names of that many syllables: a name
    /// nobody else in the register has yet can still be made of the commonest syllables.
    /// </summary>
    Syllables,
}

/// <summary>
/// How common each name is in a register, for value-specific weights (Winkler's frequency-based matching). Fellegi–
/// Sunter's u for "names agree exactly" is an average over all names; in Myanmar a few syllables make up a large share
/// of names, so two different people called "Aung Aung" agree far more often than two called "Thazin Nandar Pwint".
/// The exact-name weight is moved by log2(E[f] / f(name)) — E[f] = Σf² for whole names, the chance that two random
/// records share a name — up for a rare name, down for a common one, within ±6 bits.
/// </summary>
public sealed class NameFrequencies
{
    public static readonly NameFrequencies None = new(NameWeighting.WholeName, new Dictionary<string, double>(StringComparer.Ordinal), [], 0);

    private readonly NameWeighting _weighting;
    private readonly Dictionary<string, double> _share;
    private readonly double[] _lengthShare;
    private readonly double _mean;

    private NameFrequencies(NameWeighting weighting, Dictionary<string, double> share, double[] lengthShare, double mean) =>
        (_weighting, _share, _lengthShare, _mean) = (weighting, share, lengthShare, mean);

    /// <summary>The register's name frequencies; whole names are the default: syllable products measured no better (docs/mpi.md, run 4).</summary>
    public static NameFrequencies Of(IEnumerable<MpiRecord> records, NameWeighting weighting = NameWeighting.WholeName)
    {
        var named = records.Where(r => r.Name.Compact.Length > 0).ToList();
        if (named.Count == 0) return None;
        if (weighting == NameWeighting.WholeName)
        {
            var share = named.GroupBy(r => r.Name.Compact, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (double)g.Count() / named.Count, StringComparer.Ordinal);
            return new NameFrequencies(weighting, share, [], share.Values.Sum(f => f * f));
        }
        var syllables = named.SelectMany(r => r.Name.Syllables).ToList();
        var syllableShare = syllables.GroupBy(s => s, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (double)g.Count() / syllables.Count, StringComparer.Ordinal);
        var longest = named.Max(r => r.Name.Syllables.Count);
        var lengths = new double[longest + 1];
        foreach (var r in named) lengths[r.Name.Syllables.Count] += 1.0 / named.Count;
        var model = new NameFrequencies(weighting, syllableShare, lengths, 0);
        // E[f] over the register's own records: the chance a random record's name model gives a random other name.
        var mean = named.Average(r => model.Frequency(r.Name));
        return new NameFrequencies(weighting, syllableShare, lengths, mean);
    }

    /// <summary>Bits to add to the exact-name weight for this name; 0 when the register is unknown or too small to say.</summary>
    public double Adjustment(MpiRecord record)
    {
        if (_mean <= 0 || record.Name.Compact.Length == 0) return 0;
        var f = Frequency(record.Name);
        return f <= 0 ? 0 : Math.Clamp(Math.Log2(_mean / f), -6, 6);
    }

    private double Frequency(MyanmarName name)
    {
        if (_weighting == NameWeighting.WholeName) return _share.GetValueOrDefault(name.Compact);
        if (name.Syllables.Count >= _lengthShare.Length) return 0;
        var f = _lengthShare[name.Syllables.Count];
        foreach (var s in name.Syllables) f *= _share.GetValueOrDefault(s);
        return f;
    }
}
