using F23.StringSimilarity;
using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Mpi;

/// <summary>
/// Turns two records into a comparison vector: one agreement level per <see cref="MpiField"/>. Every comparator is
/// symmetric (string comparisons order their arguments first), so whether A is compared with B or B with A never
/// changes the outcome.
/// </summary>
public static class MpiComparator
{
    // Jaro–Winkler from F23.StringSimilarity; stateless, so one instance serves every thread.
    private static readonly JaroWinkler Jw = new();

    /// <summary>Similarity of whole names at or above which names that did not split alike are "similar".</summary>
    public const double CloseName = 0.94;

    public static byte[] Compare(MpiRecord a, MpiRecord b)
    {
        var levels = new byte[MpiLevels.Fields.Length];
        levels[(int)MpiField.Name] = LatinName(a.Name, b.Name);
        levels[(int)MpiField.BurmeseName] = Burmese(a.Name.Burmese, b.Name.Burmese);
        levels[(int)MpiField.BirthDate] = (byte)(MpiDates.Compare(a.BirthDate, b.BirthDate) switch
        {
            DateAgreement.Missing => 0, DateAgreement.Exact => 1, DateAgreement.SwappedDayMonth => 2,
            DateAgreement.Typo => 3, DateAgreement.SameYear => 4, _ => 5,
        });
        levels[(int)MpiField.Sex] = (byte)(a.Sex is not { } sa || b.Sex is not { } sb || sa == Sex.Other || sb == Sex.Other ? 0 : sa == sb ? 1 : 2);
        levels[(int)MpiField.Nrc] = (byte)(a.Nrc is null || b.Nrc is null ? 0
            : a.Nrc == b.Nrc ? 1
            : a.Nrc.Number == b.Nrc.Number ? 2 : 3);
        levels[(int)MpiField.Phone] = (byte)(a.Phone.Length == 0 || b.Phone.Length == 0 ? 0 : a.Phone == b.Phone ? 1 : 2);
        levels[(int)MpiField.Township] = (byte)(a.Township.Length == 0 || b.Township.Length == 0 ? 0 : a.Township == b.Township ? 1 : 2);
        var father = LatinName(a.Father, b.Father);
        levels[(int)MpiField.FatherName] = father switch { 0 => (byte)Burmese(a.Father.Burmese, b.Father.Burmese), 1 => 1, 2 => 2, _ => 3 };
        return levels;
    }

    /// <summary>Jaro–Winkler of two strings, computed in ordinal order so the result does not depend on argument order.</summary>
    public static double Similarity(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? Jw.Similarity(a, b) : Jw.Similarity(b, a);

    private static byte LatinName(MyanmarName a, MyanmarName b)
    {
        if (a.Compact.Length == 0 || b.Compact.Length == 0) return 0;
        if (a.Compact == b.Compact) return 1;
        var x = a.Syllables;
        var y = b.Syllables;
        // The same syllables in another order ("Moe Aung Kyaw") is the same name written by someone else.
        if (x.Count == y.Count && x.Order(StringComparer.Ordinal).SequenceEqual(y.Order(StringComparer.Ordinal))) return 2;
        // Syllable by syllable: a Myanmar name that has one syllable replaced ("Aung Kyaw Moe", "Aung Kyaw Min") is
        // another person's name, often a sibling's, however alike the letters look; a misspelled syllable is not.
        if (x.Count == y.Count)
            return Enumerable.Range(0, x.Count).All(i => SameSyllable(x[i], y[i])) ? (byte)2 : (byte)4;
        // One syllable dropped, or a run-together name that did not split into known syllables.
        if (Math.Abs(x.Count - y.Count) == 1 && (IsSubsequence(x, y) || IsSubsequence(y, x))) return 3;
        return Similarity(a.Compact, b.Compact) >= CloseName ? (byte)3 : (byte)4;
    }

    /// <summary>Two spellings of a syllable at least this alike are one syllable mistyped ("kyaw", "kyw").</summary>
    public const double SyllableTypo = 0.8;

    // A mistyped syllable: alike by Jaro–Winkler, or one edit apart when long enough that one edit cannot make another
    // common syllable ("min" and "win" are two names; "thein" and "thexn" are one).
    private static bool SameSyllable(string a, string b) =>
        Similarity(a, b) >= SyllableTypo || (Math.Max(a.Length, b.Length) >= 4 && WithinOneEdit(a, b));

    private static bool WithinOneEdit(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1) return false;
        if (a.Length > b.Length) (a, b) = (b, a);
        int i = 0, j = 0, edits = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) { i++; j++; continue; }
            if (++edits > 1) return false;
            if (a.Length == b.Length) i++;
            j++;
        }
        return edits + (b.Length - j) + (a.Length - i) <= 1;
    }

    private static bool IsSubsequence(IReadOnlyList<string> shorter, IReadOnlyList<string> longer)
    {
        if (shorter.Count >= longer.Count) return false;
        var j = 0;
        foreach (var s in longer) if (j < shorter.Count && shorter[j] == s) j++;
        return j == shorter.Count;
    }

    private static byte Burmese(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        if (a == b) return 1;
        return Similarity(a, b) >= 0.9 ? (byte)2 : (byte)3;
    }
}
