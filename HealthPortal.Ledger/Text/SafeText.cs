using System.Globalization;
using System.Text;

namespace HealthPortal.Ledger.Text;

/// <summary>
/// What a person may type into any text that someone else will read: no control characters (NUL, ESC…), no bidi
/// overrides or isolates (U+202A–U+202E, U+2066–U+2069, LRM/RLM/ALM), no invisible format characters (zero-width
/// space/joiners, word joiner, BOM, soft hyphen), no unassigned or private-use code points and no lone surrogates.
/// Those can make what a reader sees differ from what was written (a right-to-left override turns "exe.pdf" around;
/// a zero-width space makes a lookalike facility name). Line breaks and tabs are allowed only where the caller says
/// the field is multi-line. One definition for the ledger's payload rules and every form of the app.
/// </summary>
public static class SafeText
{
    /// <summary>The first offending character of <paramref name="text"/>, or null when it is safe.</summary>
    /// <param name="multiline">Whether CR, LF and TAB are allowed (clinical notes); never for names or codes.</param>
    public static SafeTextProblem? Check(string text, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return new(i, c, "an unpaired surrogate");
                var category = CharUnicodeInfo.GetUnicodeCategory(text, i);
                if (category is UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Format)
                    return new(i, c, Describe(category));
                i++;
                continue;
            }
            if (char.IsLowSurrogate(c)) return new(i, c, "an unpaired surrogate");
            if (multiline && c is '\n' or '\r' or '\t') continue;
            if (IsBidiControl(c)) return new(i, c, "a right-to-left or left-to-right control (it can reorder what a reader sees)");
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            switch (cat)
            {
                case UnicodeCategory.Control: return new(i, c, multiline ? "a control character" : "a control character or line break");
                case UnicodeCategory.Format:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    return new(i, c, Describe(cat));
            }
        }
        return null;
    }

    /// <summary>True when <see cref="Check"/> finds nothing.</summary>
    public static bool IsSafe(string text, bool multiline = false) => Check(text, multiline) is null;

    /// <summary>NFKC form of a single-line text with runs of white space folded to one space and the ends trimmed:
    /// how names are compared and stored, so a full-width "Ｒ" and "R" are the same letter.</summary>
    public static string NormalizeName(string text)
    {
        var nfkc = text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(nfkc.Length);
        var space = false;
        foreach (var c in nfkc)
        {
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Describe(UnicodeCategory category) => category switch
    {
        UnicodeCategory.Format => "an invisible formatting character",
        UnicodeCategory.PrivateUse => "a private-use character",
        UnicodeCategory.OtherNotAssigned => "an unassigned character",
        _ => "a line or paragraph separator",
    };
}

/// <summary>Where a text is unsafe and why, for an error message that names the position.</summary>
public readonly record struct SafeTextProblem(int Index, char Character, string What)
{
    public override string ToString() => $"character {Index + 1} (U+{(int)Character:X4}) is {What}";
}
