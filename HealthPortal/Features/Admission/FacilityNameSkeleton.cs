using System.Globalization;
using System.Text;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Features.Admission;

/// <summary>
/// Unicode TR39 "skeletons" of facility names, to find lookalikes: two names whose skeletons are equal look the same to
/// a reader ("Riverside" with a Cyrillic "а", "C1inic" for "Clinic", "Rnedical" for "Medical"). The skeleton is
/// NFD → each character replaced by its prototype from <see cref="FacilityNameConfusables"/> → NFD again, as TR39
/// section 4 defines it.
/// </summary>
public static class FacilityNameSkeleton
{
    private static readonly Lazy<IReadOnlyDictionary<int, string>> Table = new(FacilityNameConfusables.Build);

    /// <summary>TR39 skeleton of <paramref name="text"/> (case-sensitive, as the standard defines it).</summary>
    public static string Skeleton(string text)
    {
        var nfd = text.Normalize(NormalizationForm.FormD);
        var mapped = new StringBuilder(nfd.Length);
        foreach (var rune in nfd.EnumerateRunes())
        {
            if (Table.Value.TryGetValue(rune.Value, out var prototype)) mapped.Append(prototype);
            else mapped.Append(rune.ToString());
        }
        return mapped.ToString().Normalize(NormalizationForm.FormD);
    }

    /// <summary>
    /// True when a reader could take one name for the other: equal skeletons of the NFKC forms, compared either after
    /// mapping then lower-casing ("H0SPITAL" and "hospital": 0→O first) or after lower-casing then mapping
    /// ("MEDICAL" and "rnedical": m→rn needs the small m). Both orders are needed: the table maps "I" and "l" together
    /// but not "i", so one fixed order misses one of those cases.
    /// </summary>
    public static bool AreConfusable(string a, string b)
    {
        var (a1, a2) = Keys(a);
        var (b1, b2) = Keys(b);
        return a1 == b1 || a2 == b2;
    }

    /// <summary>A case-insensitive skeleton for measuring how close two names are (edit distance between these).</summary>
    public static string ComparisonKey(string text) => Keys(text).MapThenLower;

    private static (string MapThenLower, string LowerThenMap) Keys(string text)
    {
        var name = Collapse(text.Normalize(NormalizationForm.FormKC));
        return (Skeleton(name).ToLowerInvariant(), Skeleton(name.ToLowerInvariant()));
    }

    /// <summary>White space folded to single spaces and trimmed, so spacing alone never makes a name different.</summary>
    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Levenshtein distance (insert, delete, substitute, each 1) between two strings, in O(|a|·|b|) time.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
