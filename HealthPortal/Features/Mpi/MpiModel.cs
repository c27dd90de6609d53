namespace HealthPortal.Features.Mpi;

/// <summary>What the matcher decided about a pair.</summary>
public enum MatchOutcome
{
    NoMatch,
    /// <summary>Possibly the same person: a steward (or the desk) decides.</summary>
    Review,
    /// <summary>The same person with the confidence configured for automatic links.</summary>
    Link,
}

/// <summary>
/// A fitted Fellegi–Sunter model: for each field and level, m (the chance of that level when the records are the same
/// person) and u (when they are not), the share <see cref="Prior"/> of matches among compared pairs, and the two score
/// thresholds. A pair's score is the sum over fields of log2(m/u) for the level it shows.
/// </summary>
public sealed record MpiModel(double[][] M, double[][] U, double Prior, double LinkThreshold, double ReviewThreshold)
{
    /// <summary>log2(m/u) of a level; a missing value (level 0) weighs nothing either way (see <see cref="MpiLevels.Counted"/> for a level the score leaves out).</summary>
    public double Weight(MpiField field, int level) => level == 0 ? 0 : Math.Log2(M[(int)field][level] / U[(int)field][level]);

    /// <summary>The pair's score; <paramref name="exactNameAdjustment"/> (from <see cref="NameFrequencies"/>) applies when the names agree exactly.</summary>
    public double Score(ReadOnlySpan<byte> levels, double exactNameAdjustment = 0)
    {
        var score = levels[(int)MpiField.Name] == 1 ? exactNameAdjustment : 0.0;
        for (var f = 0; f < levels.Length; f++)
            if (MpiLevels.Counted(levels, f) is var level and not 0) score += Math.Log2(M[f][level] / U[f][level]);
        return score;
    }

    /// <summary>
    /// The outcome of a compared pair. Fellegi–Sunter assumes fields are independent given match status; a household
    /// breaks that (twins share birth date, father, phone and township), so names that disagree (no romanised or
    /// Burmese name agreeing at least partly) and two readable NRC numbers that differ each keep a pair from an
    /// automatic link however high it scores (review at most); both together say two people (no match).
    /// </summary>
    public MatchOutcome Classify(ReadOnlySpan<byte> levels, double exactNameAdjustment = 0)
    {
        var outcome = Classify(Score(levels, exactNameAdjustment));
        // A Burmese-script name only "close" (Jaro–Winkler ≥ 0.9) is what twins named alike show ("Aung Kyaw Moe",
        // "Aung Kyaw Min" in Myanmar script), so it counts as the names agreeing only when there is no romanised name.
        var latin = levels[(int)MpiField.Name];
        var burmese = levels[(int)MpiField.BurmeseName];
        var nameAgrees = latin is 1 or 2 or 3 || burmese == 1 || (latin == 0 && burmese == 2);
        var cardsDiffer = levels[(int)MpiField.Nrc] == MpiLevels.Count(MpiField.Nrc) - 1;
        if (!nameAgrees && cardsDiffer) return MatchOutcome.NoMatch;
        if (outcome != MatchOutcome.Link) return outcome;
        return nameAgrees && !cardsDiffer ? MatchOutcome.Link : MatchOutcome.Review;
    }

    /// <summary>The chance the pair is one person given its score, under the model's prior among compared pairs.</summary>
    public double Posterior(double score) => 1 / (1 + (1 - Prior) / Prior * Math.Pow(2, -score));

    public MatchOutcome Classify(double score) =>
        score >= LinkThreshold ? MatchOutcome.Link : score >= ReviewThreshold ? MatchOutcome.Review : MatchOutcome.NoMatch;

    public MpiModel WithThresholds(double link, double review) => this with { LinkThreshold = link, ReviewThreshold = review };
}
