using System.Text;

namespace HealthPortal.Features.Mpi;

/// <summary>Script facts the normalisers share: Burmese digits (U+1040–U+1049) and whether text is in Myanmar script.</summary>
public static class MyanmarText
{
    /// <summary>Burmese digits become ASCII digits; everything else is kept. Registers and phones mix both.</summary>
    public static string AsciiDigits(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(c is >= '\u1040' and <= '\u1049' ? (char)('0' + (c - '\u1040')) : c);
        return sb.ToString();
    }

    /// <summary>Whether the text has any Myanmar-script letter (digits alone do not make a name Burmese).</summary>
    public static bool HasMyanmarLetters(string text)
    {
        foreach (var c in text)
            if (c is >= '\u1000' and <= '\u109F' && c is not (>= '\u1040' and <= '\u1049')) return true;
        return false;
    }
}
