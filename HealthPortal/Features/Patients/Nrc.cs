using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HealthPortal.Features.Patients;

/// <summary>
/// A Myanmar National Registration Card number: <c>state/TOWNSHIP(TYPE)number</c>, e.g. <c>12/MAYAKA(N)123456</c> —
/// the state or region number (1–14), the township's romanised code, the citizenship type in parentheses and six
/// digits. People and old records write it many ways (<c>12/MaYaKa(Naing)123456</c>, spaces around the slash,
/// Myanmar digits ၁၂): <see cref="TryParse"/> accepts those and <see cref="Normalise"/> gives the one form used to
/// compare numbers.
/// </summary>
public static partial class Nrc
{
    /// <summary>Full spellings of the citizenship types and their one-letter codes (N citizen, E associate, P naturalised).</summary>
    private static readonly Dictionary<string, string> TypeSpellings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["N"] = "N", ["NAING"] = "N", ["NAINGANGA"] = "N",
        ["E"] = "E", ["EI"] = "E", ["AE"] = "E", ["AEH"] = "E",
        ["P"] = "P", ["PYU"] = "P",
    };

    [GeneratedRegex(@"^(?<state>\d{1,2})/(?<township>[A-Z]{2,12})\((?<type>[A-Z]{1,10})\)(?<number>\d{6})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>
    /// Whether <paramref name="text"/> is an NRC number; <paramref name="normalised"/> is its canonical form
    /// (<c>12/MAYAKA(N)123456</c>), <paramref name="error"/> a sentence for the person who typed it.
    /// </summary>
    public static bool TryParse(string? text, out string normalised, out string error)
    {
        normalised = "";
        var compact = Compact(text);
        if (compact.Length == 0) { error = "Enter the NRC number, e.g. 12/MAYAKA(N)123456."; return false; }
        var match = Shape().Match(compact);
        if (!match.Success)
        {
            error = "An NRC number looks like 12/MAYAKA(N)123456: state or region number, township code, type in brackets, six digits.";
            return false;
        }
        var state = int.Parse(match.Groups["state"].Value, CultureInfo.InvariantCulture);
        if (state is < 1 or > 14) { error = "The state or region number of an NRC is 1 to 14."; return false; }
        if (!TypeSpellings.TryGetValue(match.Groups["type"].Value, out var type))
        {
            error = "The citizenship type in brackets is N (Naing), E (Ei) or P (Pyu).";
            return false;
        }
        normalised = $"{state}/{match.Groups["township"].Value}({type}){match.Groups["number"].Value}";
        error = "";
        return true;
    }

    /// <summary>The canonical form of an NRC number, or null when it is not one.</summary>
    public static string? Normalise(string? text) => TryParse(text, out var normalised, out _) ? normalised : null;

    /// <summary>Whether the text looks meant as an NRC number (a leading number, a slash and a letter), even when it is not a valid one; "21/03/1985" is a date.</summary>
    public static bool LooksLikeNrc(string? text) => Attempt().IsMatch(Compact(text));

    [GeneratedRegex(@"^\d{1,2}/\p{L}", RegexOptions.CultureInvariant)]
    private static partial Regex Attempt();

    /// <summary>Upper case, no spaces, Myanmar and full-width digits as ASCII, full-width brackets and slash as ASCII.</summary>
    private static string Compact(string? text)
    {
        var builder = new StringBuilder((text ?? "").Length);
        foreach (var c in (text ?? "").Normalize(NormalizationForm.FormKC))
        {
            if (char.IsWhiteSpace(c)) continue;
            if (c is >= '\u1040' and <= '\u1049') builder.Append((char)('0' + (c - '\u1040'))); // Myanmar digits ၀–၉
            else builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }
}
