using System.Diagnostics;
using System.Security.Cryptography;
using HealthPortal.Features.Mpi.Pprl;

namespace HealthPortal.Features.Mpi.Evaluation;

/// <summary>At one Dice threshold: how many pairs reach it, how many of them are one person, precision and recall.</summary>
public sealed record ClkThreshold(double Dice, long Pairs, long TruePairs, double Precision, double Recall);

/// <summary>What the CLK evaluation measured: every pair of the population compared by Dice, counted against the labels.</summary>
public sealed record ClkEvaluationReport(int Records, long AllPairs, long TruePairs, IReadOnlyList<ClkThreshold> Thresholds, TimeSpan EncodeTime, TimeSpan CompareTime);

/// <summary>
/// Linkage quality of the Bloom-filter encodings on a synthetic population: the cross-node search compares a probe
/// with every entry of a register (no blocking: blocking keys would be demographics), so here every pair of records is
/// compared by Dice and counted, by threshold, against the generator's labels. The secret is fresh for each run; the
/// figures do not depend on it beyond chance collisions.
/// </summary>
public static class ClkEvaluation
{
    private const int Bins = 1_000;

    public static ClkEvaluationReport Run(IReadOnlyList<SyntheticRecord> population, IReadOnlyList<double>? thresholds = null)
    {
        thresholds ??= [0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95];
        var encoder = new ClkEncoder(RandomNumberGenerator.GetBytes(32));
        var clock = Stopwatch.StartNew();
        var encodings = new BloomEncoding[population.Count];
        Parallel.For(0, population.Count, i => encodings[i] = encoder.Encode(population[i].ToMpiRecord()));
        var encode = clock.Elapsed;

        clock.Restart();
        // Histograms of Dice (in thousandths) for same-person and different-person pairs, per worker, then summed.
        var same = new long[Bins + 1];
        var other = new long[Bins + 1];
        var gate = new object();
        Parallel.For(0, population.Count, () => (S: new long[Bins + 1], O: new long[Bins + 1]), (i, _, local) =>
        {
            for (var j = i + 1; j < population.Count; j++)
            {
                var bin = (int)(encodings[i].Dice(encodings[j]) * Bins);
                if (population[i].PersonId == population[j].PersonId) local.S[bin]++; else local.O[bin]++;
            }
            return local;
        }, local =>
        {
            lock (gate)
                for (var b = 0; b <= Bins; b++) { same[b] += local.S[b]; other[b] += local.O[b]; }
        });
        var compare = clock.Elapsed;

        var truePairs = population.GroupBy(r => r.PersonId).Sum(g => (long)g.Count() * (g.Count() - 1) / 2);
        var rows = thresholds.Select(t =>
        {
            var from = (int)Math.Ceiling(t * Bins);
            long s = 0, o = 0;
            for (var b = from; b <= Bins; b++) { s += same[b]; o += other[b]; }
            return new ClkThreshold(t, s + o, s, s + o == 0 ? 1 : (double)s / (s + o), truePairs == 0 ? 1 : (double)s / truePairs);
        }).ToList();
        return new ClkEvaluationReport(population.Count, (long)population.Count * (population.Count - 1) / 2, truePairs, rows, encode, compare);
    }
}
