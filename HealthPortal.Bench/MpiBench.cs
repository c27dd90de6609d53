using System.Globalization;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Mpi.Evaluation;

namespace HealthPortal.Bench;

/// <summary>
/// <c>mpi --people N [--seed S]</c>: the MPI matcher's evaluation on a synthetic Myanmar-style population of N records
/// (docs/mpi.md): EM fitted on the unlabelled candidate pairs, thresholds from the fitted posterior, then precision of
/// automatic links, recall of link + review, the review share and the time, scored against the generator's labels.
/// </summary>
internal static class MpiBench
{
    public static Task<int> RunAsync(string[] args)
    {
        var people = 100_000;
        var seed = 2026;
        var options = new MpiEvaluationOptions();
        var clkPeople = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--people": people = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--link-precision": options = options with { LinkPrecision = double.Parse(args[i + 1], CultureInfo.InvariantCulture) }; break;
                case "--review-recall": options = options with { ReviewRecall = double.Parse(args[i + 1], CultureInfo.InvariantCulture) }; break;
                case "--clk": clkPeople = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--names": options = options with { Names = Enum.Parse<NameWeighting>(args[i + 1], ignoreCase: true) }; break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}; use mpi --people N [--seed S] [--link-precision P] [--review-recall R] [--names wholename|syllables] [--clk N]");
                    return Task.FromResult(2);
            }
        }

        if (clkPeople > 0) return Task.FromResult(Clk(clkPeople, seed));

        var generated = System.Diagnostics.Stopwatch.StartNew();
        var population = MpiPopulation.Generate(people, seed);
        Console.WriteLine($"generated {population.Count} records of {population.Select(r => r.PersonId).Distinct().Count()} people (seed {seed}) in {generated.Elapsed.TotalSeconds:F1} s");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"thresholds for expected link precision {options.LinkPrecision}, expected recall {options.ReviewRecall}; name frequencies by {options.Names}"));
        var r = MpiEvaluation.Run(population, options: options);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"true pairs {r.TruePairs}; compared {r.ComparedPairs} ({r.ComparedPairs / (r.Records * (r.Records - 1) / 2.0):P4} of all pairs); blocking recall {r.BlockingRecall:F4}"));
        Console.WriteLine(string.Create(inv, $"links {r.Links} (true {r.TrueLinks}); reviews {r.Reviews} (true {r.TrueReviews})"));
        Console.WriteLine(string.Create(inv, $"precision of automatic links {r.LinkPrecision:F4} (target >= 0.995)"));
        Console.WriteLine(string.Create(inv, $"recall of link + review     {r.Recall:F4} (target >= 0.97)"));
        Console.WriteLine(string.Create(inv, $"review share                {r.ReviewShare:P2} of records (target <= 5%)"));
        Console.WriteLine(string.Create(inv, $"time: normalise {r.NormaliseTime.TotalSeconds:F1} s, block + compare + classify {r.MatchTime.TotalSeconds:F1} s, EM {r.FitTime.TotalSeconds:F1} s ({r.EmIterations} iterations), {Environment.ProcessorCount} cores"));
        var m = r.Model;
        Console.WriteLine(string.Create(inv, $"fitted prior {m.Prior:F5}; link threshold {m.LinkThreshold:F2}; review threshold {m.ReviewThreshold:F2}"));
        foreach (var field in MpiLevels.Fields)
        {
            var levels = MpiLevels.Of(field);
            Console.WriteLine(string.Create(inv, $"  {field}: ") + string.Join("; ", levels.Select((name, l) =>
                string.Create(inv, $"{name} m={m.M[(int)field][l]:G4} u={m.U[(int)field][l]:G4} w={m.Weight(field, l):F2}"))));
        }
        Console.WriteLine("wrong automatic links by comparison vector (" + string.Join(",", MpiLevels.Fields) + "): wrong / right links with that vector");
        foreach (var (levels, wrong, right) in r.WrongLinkPatterns.Take(12)) Console.WriteLine($"  {levels}: {wrong} / {right}");
        // The fitted model as C# for MpiDefaults, so the shipped defaults are exactly what this run estimated.
        Console.WriteLine("M: " + string.Join(", ", m.M.Select(a => "[" + string.Join(", ", a.Select(x => x.ToString("G6", inv))) + "]")));
        Console.WriteLine("U: " + string.Join(", ", m.U.Select(a => "[" + string.Join(", ", a.Select(x => x.ToString("G6", inv))) + "]")));
        return Task.FromResult(0);
    }

    // The Bloom-filter (CLK) encodings on their own: every pair of a smaller population by Dice, since the cross-node
    // search has no blocking; alongside, the plain matcher on the same population for comparison.
    private static int Clk(int people, int seed)
    {
        var inv = CultureInfo.InvariantCulture;
        var population = MpiPopulation.Generate(people, seed);
        var plain = MpiEvaluation.Run(population);
        Console.WriteLine(string.Create(inv, $"plain matcher at {people} records: link precision {plain.LinkPrecision:F4}, recall (link + review) {plain.Recall:F4}, recall of links alone {(double)plain.TrueLinks / plain.TruePairs:F4}, review share {plain.ReviewShare:P2}"));
        var r = ClkEvaluation.Run(population);
        Console.WriteLine(string.Create(inv, $"CLK at {r.Records} records: {r.AllPairs} pairs (all), {r.TruePairs} true; encode {r.EncodeTime.TotalSeconds:F1} s, Dice of every pair {r.CompareTime.TotalSeconds:F1} s"));
        foreach (var t in r.Thresholds)
            Console.WriteLine(string.Create(inv, $"  Dice >= {t.Dice:F2}: {t.Pairs} pairs, {t.TruePairs} true; precision {t.Precision:F4}, recall {t.Recall:F4}"));
        return 0;
    }
}
