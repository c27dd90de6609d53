using System.Diagnostics;

namespace HealthPortal.Features.Mpi.Evaluation;

/// <summary>What one evaluation run measured.</summary>
public sealed record MpiEvaluationReport(
    int Records, long TruePairs, long ComparedPairs, long TruePairsCompared, long Links, long TrueLinks, long Reviews, long TrueReviews,
    int RecordsInReview, TimeSpan NormaliseTime, TimeSpan MatchTime, TimeSpan FitTime, int EmIterations, MpiModel Model)
{
    /// <summary>The comparison vectors of wrong automatic links, commonest first, with how many right links showed the same vector (for finding the cause).</summary>
    public IReadOnlyList<(string Levels, long Wrong, long Right)> WrongLinkPatterns { get; init; } = [];

    /// <summary>Share of automatic links that are the same person.</summary>
    public double LinkPrecision => Links == 0 ? 1 : (double)TrueLinks / Links;

    /// <summary>Share of all same-person pairs found by an automatic link or sent to review.</summary>
    public double Recall => TruePairs == 0 ? 1 : (double)(TrueLinks + TrueReviews) / TruePairs;

    /// <summary>Share of same-person pairs blocking let through to comparison (the ceiling on recall).</summary>
    public double BlockingRecall => TruePairs == 0 ? 1 : (double)TruePairsCompared / TruePairs;

    /// <summary>Share of records a steward must look at: those in at least one pair sent to review.</summary>
    public double ReviewShare => Records == 0 ? 0 : (double)RecordsInReview / Records;
}

/// <summary>
/// The choices an evaluation run makes without labels: the posterior targets the thresholds are chosen for and how
/// name frequencies are estimated. The defaults are what <see cref="MpiDefaults.Model"/> was fitted with.
/// </summary>
public sealed record MpiEvaluationOptions(double LinkPrecision = MpiEvaluationOptions.DefaultLinkPrecision, double ReviewRecall = MpiEvaluationOptions.DefaultReviewRecall,
    NameWeighting Names = NameWeighting.WholeName)
{
    public const double DefaultLinkPrecision = 0.999, DefaultReviewRecall = 0.995;
}

/// <summary>
/// The matcher's evaluation on a synthetic population: normalise every record, block, compare the candidate pairs,
/// fit m/u by EM on those pairs without their labels (starting from <see cref="MpiDefaults.Start"/>), choose thresholds
/// from the fitted posterior, classify, and only then score against the labels.
/// </summary>
public static class MpiEvaluation
{
    public static MpiEvaluationReport Run(IReadOnlyList<SyntheticRecord> population, MpiModel? fixedModel = null, MpiEvaluationOptions? options = null)
    {
        options ??= new MpiEvaluationOptions();
        var clock = Stopwatch.StartNew();
        var records = new MpiRecord[population.Count];
        Parallel.For(0, population.Count, i => records[i] = population[i].ToMpiRecord());
        var normalise = clock.Elapsed;

        clock.Restart();
        var index = MpiIndex.Build(records);
        var pairs = index.Pairs().ToArray();
        var vectors = new byte[pairs.Length][];
        Parallel.For(0, pairs.Length, k => vectors[k] = MpiComparator.Compare(records[pairs[k].I], records[pairs[k].J]));
        var match = clock.Elapsed;

        clock.Restart();
        var names = NameFrequencies.Of(records, options.Names);
        var adjustments = new double[pairs.Length];
        Parallel.For(0, pairs.Length, k => adjustments[k] = names.Adjustment(records[pairs[k].I]));
        var model = fixedModel;
        var iterations = 0;
        if (model is null)
        {
            var patterns = MpiEstimation.Patterns(vectors).Values.ToList();
            (model, iterations) = MpiEstimation.Fit(patterns, MpiDefaults.Start);
            var fitted = model;
            model = MpiEstimation.ChooseThresholds(model, Enumerable.Range(0, pairs.Length).Select(k => fitted.Score(vectors[k], adjustments[k])),
                options.LinkPrecision, options.ReviewRecall);
        }
        var fit = clock.Elapsed;

        clock.Restart();
        long links = 0, trueLinks = 0, reviews = 0, trueReviews = 0, trueCompared = 0;
        var inReview = new bool[records.Length];
        var linkPatterns = new Dictionary<string, (long Wrong, long Right)>(StringComparer.Ordinal);
        for (var k = 0; k < pairs.Length; k++)
        {
            var (i, j) = pairs[k];
            var same = population[i].PersonId == population[j].PersonId;
            if (same) trueCompared++;
            switch (model.Classify(vectors[k], adjustments[k]))
            {
                case MatchOutcome.Link:
                    links++;
                    if (same) trueLinks++;
                    var key = string.Concat(vectors[k]);
                    var (wrong, right) = linkPatterns.GetValueOrDefault(key);
                    linkPatterns[key] = same ? (wrong, right + 1) : (wrong + 1, right);
                    break;
                case MatchOutcome.Review: reviews++; if (same) trueReviews++; inReview[i] = inReview[j] = true; break;
            }
        }
        match += clock.Elapsed;

        var truePairs = population.GroupBy(r => r.PersonId).Sum(g => (long)g.Count() * (g.Count() - 1) / 2);
        return new MpiEvaluationReport(records.Length, truePairs, pairs.Length, trueCompared, links, trueLinks, reviews, trueReviews,
            inReview.Count(x => x), normalise, match, fit, iterations, model)
        {
            WrongLinkPatterns = linkPatterns.Where(p => p.Value.Wrong > 0).OrderByDescending(p => p.Value.Wrong)
                .Select(p => (p.Key, p.Value.Wrong, p.Value.Right)).ToList(),
        };
    }
}
