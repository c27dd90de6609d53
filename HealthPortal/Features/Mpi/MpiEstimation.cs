namespace HealthPortal.Features.Mpi;

/// <summary>
/// Expectation–maximisation for the Fellegi–Sunter m and u probabilities from unlabelled comparison vectors (Winkler
/// 1988; Jaro 1989), and thresholds chosen from the fitted posterior rather than by hand. Vectors are counted by
/// pattern first: 100,000 patients give millions of pairs but only a few thousand distinct vectors.
/// </summary>
public static class MpiEstimation
{
    private const double Floor = 1e-6;

    /// <summary>Distinct comparison vectors and how often each occurred.</summary>
    public static Dictionary<string, (byte[] Levels, long Count)> Patterns(IEnumerable<byte[]> vectors)
    {
        var patterns = new Dictionary<string, (byte[], long)>(StringComparer.Ordinal);
        foreach (var v in vectors)
        {
            var key = Convert.ToHexString(v);
            patterns[key] = patterns.TryGetValue(key, out var p) ? (p.Item1, p.Item2 + 1) : (v, 1);
        }
        return patterns;
    }

    /// <summary>
    /// Fits m, u and the prior from <paramref name="start"/> (only a starting point) until the log-likelihood stops
    /// improving. Thresholds are carried over unchanged; choose them with <see cref="ChooseThresholds"/>.
    /// </summary>
    public static (MpiModel Model, int Iterations) Fit(IReadOnlyCollection<(byte[] Levels, long Count)> patterns, MpiModel start, int maxIterations = 1_000, double tolerance = 1e-7)
    {
        var fields = start.M.Length;
        var m = start.M.Select(a => a.ToArray()).ToArray();
        var u = start.U.Select(a => a.ToArray()).ToArray();
        var p = start.Prior;
        var total = patterns.Sum(x => (double)x.Count);
        var iteration = 0;
        var counted = patterns.Select(x => (Levels: Counted(x.Levels), x.Count)).ToList();
        while (iteration++ < maxIterations)
        {
            var mNext = m.Select(a => new double[a.Length]).ToArray();
            var uNext = u.Select(a => new double[a.Length]).ToArray();
            double matches = 0;
            foreach (var (levels, count) in counted)
            {
                double pm = p, pu = 1 - p;
                // A missing value says nothing about match status (level 0 is left out of the likelihood).
                for (var f = 0; f < fields; f++)
                    if (levels[f] != 0) { pm *= m[f][levels[f]]; pu *= u[f][levels[f]]; }
                var g = pm / (pm + pu);
                matches += g * count;
                for (var f = 0; f < fields; f++)
                {
                    mNext[f][levels[f]] += g * count;
                    uNext[f][levels[f]] += (1 - g) * count;
                }
            }
            for (var f = 0; f < fields; f++) { Normalise(mNext[f]); Normalise(uNext[f]); }
            var pNext = Math.Clamp(matches / total, Floor, 1 - Floor);
            var change = Math.Abs(pNext - p);
            for (var f = 0; f < fields; f++)
                for (var l = 0; l < m[f].Length; l++)
                    change = Math.Max(change, Math.Max(Math.Abs(mNext[f][l] - m[f][l]), Math.Abs(uNext[f][l] - u[f][l])));
            (m, u, p) = (mNext, uNext, pNext);
            if (change < tolerance) break;
        }
        return (start with { M = m, U = u, Prior = p }, iteration);
    }

    /// <summary>
    /// Thresholds from the model's own posterior over the compared pairs: the link threshold is the lowest score at
    /// which the expected precision of everything linked stays at or above <paramref name="linkPrecision"/>; the review
    /// threshold the highest score at which the expected recall of link + review reaches <paramref name="reviewRecall"/>.
    /// No labels are used: "expected" is the sum of posteriors the fitted model assigns.
    /// </summary>
    public static MpiModel ChooseThresholds(MpiModel model, IEnumerable<double> scores, double linkPrecision = 0.999, double reviewRecall = 0.995)
    {
        var scored = scores.OrderByDescending(x => x).ToArray();
        var expectedMatches = scored.Sum(model.Posterior);
        double link = double.PositiveInfinity, review = double.PositiveInfinity;
        double taken = 0, takenMatches = 0;
        var reachedRecall = false;
        foreach (var score in scored)
        {
            taken++;
            takenMatches += model.Posterior(score);
            if (takenMatches / taken >= linkPrecision) link = score;
            if (!reachedRecall) { review = score; reachedRecall = takenMatches >= reviewRecall * expectedMatches; }
        }
        return model.WithThresholds(link, Math.Min(review, link));
    }

    private static byte[] Counted(byte[] levels)
    {
        var counted = new byte[levels.Length];
        for (var f = 0; f < levels.Length; f++) counted[f] = (byte)MpiLevels.Counted(levels, f);
        return counted;
    }

    // Level 0 (missing) keeps its share of all pairs but is never scored; levels 1.. are a distribution over the pairs
    // where both values are present, floored so no level is ever "impossible" (a weight of ±30 bits from one field
    // would let a single coincidence decide a pair).
    private static void Normalise(double[] values)
    {
        var all = values.Sum();
        var present = all - values[0];
        values[0] = all > 0 ? Math.Max(values[0] / all, Floor) : Floor;
        for (var i = 1; i < values.Length; i++) values[i] = present > 0 ? values[i] / present : 1.0 / (values.Length - 1);
        for (var i = 1; i < values.Length; i++) values[i] = Math.Max(values[i], LevelFloor);
        var sum = values.Skip(1).Sum();
        for (var i = 1; i < values.Length; i++) values[i] /= sum;
    }

    /// <summary>The least probability a present level may have: caps one field's weight near ±13 bits.</summary>
    public const double LevelFloor = 1e-4;
}
