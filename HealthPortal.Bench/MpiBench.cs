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
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--people": people = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}; use mpi --people N [--seed S]"); return Task.FromResult(2);
            }
        }

        var generated = System.Diagnostics.Stopwatch.StartNew();
        var population = MpiPopulation.Generate(people, seed);
        Console.WriteLine($"generated {population.Count} records of {population.Select(r => r.PersonId).Distinct().Count()} people (seed {seed}) in {generated.Elapsed.TotalSeconds:F1} s");

        var r = MpiEvaluation.Run(population);
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
        // The fitted model as C# for MpiDefaults, so the shipped defaults are exactly what this run estimated.
        Console.WriteLine("M: " + string.Join(", ", m.M.Select(a => "[" + string.Join(", ", a.Select(x => x.ToString("G6", inv))) + "]")));
        Console.WriteLine("U: " + string.Join(", ", m.U.Select(a => "[" + string.Join(", ", a.Select(x => x.ToString("G6", inv))) + "]")));
        return Task.FromResult(0);
    }
}
