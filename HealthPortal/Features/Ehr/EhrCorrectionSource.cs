using HealthPortal.Features.Records;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// What a correction starts from: the form's input filled with the save that holds the record being corrected, and
/// every record that save produced (each is replaced by the new save's record of the same kind and place).
/// </summary>
public sealed record EhrCorrectionSource<TInput>(TInput Input, IReadOnlyList<EhrRecord> Records);

/// <summary>What a correction save hands to the page: the new records, the record the staff member set out to correct, and why.</summary>
public sealed record EhrCorrectionSaved(string CorrectionOf, IReadOnlyList<EhrRecord> Records, IReadOnlyList<EhrRecord> Replaced, string Reason);

public static class EhrCorrections
{
    /// <summary>The longest reason for a correction (a sentence or two: what was wrong).</summary>
    public const int MaxReason = Forms.TextLimits.Sentence;

    /// <summary>
    /// Pairs each new record with the old record of the same kind at the same place among that kind (the second
    /// diagnosis replaces the second diagnosis). A new record with no counterpart (an added diagnosis) replaces
    /// nothing; an old one with none (a removed diagnosis) stays as it was.
    /// </summary>
    public static IReadOnlyList<(EhrRecord New, EhrRecord Old)> Pair(IReadOnlyList<EhrRecord> newRecords, IReadOnlyList<EhrRecord> oldRecords)
    {
        var pairs = new List<(EhrRecord, EhrRecord)>();
        foreach (var kind in newRecords.Select(r => r.Kind).Distinct())
        {
            var news = newRecords.Where(r => r.Kind == kind).ToList();
            var olds = oldRecords.Where(r => r.Kind == kind).ToList();
            for (var i = 0; i < Math.Min(news.Count, olds.Count); i++) pairs.Add((news[i], olds[i]));
        }
        return pairs;
    }
}
