using System.Text;
using System.Text.RegularExpressions;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Patients;

/// <summary>Why text is not a national registration card (NRC) number; the result's message says it to the person who typed it.</summary>
public enum NrcError
{
    None,
    Empty,
    /// <summary>The state/region number (1–14) before the slash is missing or out of range.</summary>
    BadState,
    /// <summary>The township code (e.g. LAMANA) is missing or has characters that are not letters.</summary>
    BadTownship,
    /// <summary>The citizenship type in brackets is not N (Naing), E (Ei), P (Pyu) or T (Thi).</summary>
    BadType,
    /// <summary>The card number is not six digits.</summary>
    BadNumber,
}

/// <summary>
/// A Myanmar NRC number in its normal form <c>12/LAMANA(N)123456</c>: state/region 1–14, the township code in Latin
/// letters, the citizenship type and six digits. <see cref="Parse"/> reads what people type and what cards print:
/// lower case, spaces, a missing slash, the type spelled out (<c>(Naing)</c>) or without brackets, Burmese digits, and
/// the Burmese-script form <c>၁၂/လမန(နိုင်)၁၂၃၄၅၆</c>, whose township letters are transliterated to the Latin code,
/// and full-width digits and brackets. It is the one NRC parser: the desk search (<see cref="Normalise"/>) and the MPI
/// matcher read numbers the same way, so a number the desk finds is the number the matcher compares.
/// </summary>
public sealed partial record Nrc(int State, string Township, char Type, string Number)
{
    public override string ToString() => $"{State}/{Township}({Type}){Number}";

    // The township code letters: each consonant is read with its inherent vowel, as the Latin codes are written.
    private static readonly Dictionary<char, string> Consonants = new()
    {
        ['က'] = "KA", ['ခ'] = "KHA", ['ဂ'] = "GA", ['ဃ'] = "GA", ['င'] = "NGA", ['စ'] = "SA", ['ဆ'] = "HSA", ['ဇ'] = "ZA",
        ['ဈ'] = "ZA", ['ည'] = "NYA", ['ဋ'] = "TA", ['ဌ'] = "HTA", ['ဍ'] = "DA", ['ဎ'] = "DA", ['ဏ'] = "NA", ['တ'] = "TA",
        ['ထ'] = "HTA", ['ဒ'] = "DA", ['ဓ'] = "DA", ['န'] = "NA", ['ပ'] = "PA", ['ဖ'] = "PHA", ['ဗ'] = "BA", ['ဘ'] = "BA",
        ['မ'] = "MA", ['ယ'] = "YA", ['ရ'] = "YA", ['လ'] = "LA", ['ဝ'] = "WA", ['သ'] = "THA", ['ဟ'] = "HA", ['ဠ'] = "LA",
        ['အ'] = "AH", ['ဥ'] = "OU",
    };

    private static readonly (string Spelling, char Type)[] Types =
    [
        ("နိုင်", 'N'), ("ဧည့်", 'E'), ("ပြု", 'P'), ("သီ", 'T'),
        ("NAING", 'N'), ("NAINGE", 'N'), ("NAINGANGA", 'N'), ("EI", 'E'), ("AE", 'E'), ("AEH", 'E'), ("E", 'E'), ("PYU", 'P'), ("P", 'P'),
        ("THI", 'T'), ("T", 'T'), ("N", 'N'),
    ];

    public static Result<Nrc, NrcError> Parse(string? input)
    {
        // Compatibility form turns full-width digits, letters and brackets (typed on East Asian keyboards) into ASCII.
        var text = AsciiDigits((input ?? "").Normalize(NormalizationForm.FormKC)).Trim();
        if (text.Length == 0) return Result.Fail(NrcError.Empty, "Enter the NRC number.");
        // Spaces, dots and dashes are typing habits, never part of the number.
        var compact = new StringBuilder();
        foreach (var c in text)
            if (!char.IsWhiteSpace(c) && c is not ('.' or '-' or '_' or '\u200B')) compact.Append(char.ToUpperInvariant(c));
        var s = compact.ToString().Replace('［', '(').Replace('］', ')').Replace('[', '(').Replace(']', ')');

        var i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i == 0 || i > 2 || !int.TryParse(s[..i], out var state) || state is < 1 or > 14)
            return Result.Fail(NrcError.BadState, "An NRC number starts with the state or region number, 1 to 14 (as in 12/LAMANA(N)123456).");
        if (i < s.Length && s[i] is '/' or '／' or '\\') i++;

        // The township: Latin letters, or Myanmar consonants transliterated, up to the type.
        var township = new StringBuilder();
        var typeStart = s.IndexOf('(', i);
        var digitsStart = i;
        while (digitsStart < s.Length && !char.IsAsciiDigit(s[digitsStart])) digitsStart++;
        var townEnd = typeStart >= 0 ? typeStart : digitsStart;
        for (var j = i; j < townEnd; j++)
        {
            var c = s[j];
            if (char.IsAsciiLetterUpper(c)) township.Append(c);
            else if (Consonants.TryGetValue(c, out var latin)) township.Append(latin);
            else if (c is >= '\u102B' and <= '\u103E') continue; // vowel signs and medials never appear in codes but do get typed
            else return Result.Fail(NrcError.BadTownship, "The township code of an NRC number has letters only (as in LAMANA).");
        }

        char? type = null;
        var town = township.ToString();
        if (typeStart >= 0)
        {
            var close = s.IndexOf(')', typeStart);
            if (close < 0) return Result.Fail(NrcError.BadType, "The citizenship type of an NRC number goes in brackets: (N), (E), (P) or (T).");
            type = TypeOf(s[(typeStart + 1)..close]);
            digitsStart = close + 1;
        }
        else
        {
            // No brackets: the type is the trailing letters of the township run ("LAMANAN123456", "LAMANA NAING 123456").
            foreach (var (spelling, t) in Types.Where(x => x.Spelling.All(char.IsAsciiLetterUpper)).OrderByDescending(x => x.Spelling.Length))
                if (town.Length > spelling.Length + 1 && town.EndsWith(spelling, StringComparison.Ordinal)) { type = t; town = town[..^spelling.Length]; break; }
        }
        if (town.Length < 2) return Result.Fail(NrcError.BadTownship, "The township code of an NRC number is missing (as in 12/LAMANA(N)123456).");
        if (type is null) return Result.Fail(NrcError.BadType, "The citizenship type of an NRC number is N (Naing), E (Ei), P (Pyu) or T (Thi).");

        var number = s[digitsStart..];
        if (number.Length != 6 || !number.All(char.IsAsciiDigit))
            return Result.Fail(NrcError.BadNumber, $"The card number of an NRC is six digits; this has {number.Count(char.IsAsciiDigit)}.");
        return new Nrc(state, town, type.Value, number);
    }

    /// <summary>The canonical form (<c>12/LAMANA(N)123456</c>) for comparing numbers, or null when the text is not one.</summary>
    public static string? Normalise(string? text) => Parse(text) is { IsOk: true } card ? card.Value!.ToString() : null;

    /// <summary>Whether the text looks meant as an NRC number (a leading number, a slash and a letter), even when it is not a valid one; "21/03/1985" is a date.</summary>
    public static bool LooksLikeNrc(string? text) =>
        Attempt().IsMatch(AsciiDigits((text ?? "").Normalize(NormalizationForm.FormKC)).Replace(" ", "", StringComparison.Ordinal));

    [GeneratedRegex(@"^\d{1,2}/\p{L}", RegexOptions.CultureInvariant)]
    private static partial Regex Attempt();

    // Burmese digits (U+1040–U+1049) as ASCII: cards print them and people type both. (Mpi/MyanmarText does the same
    // for names and dates; this folder is below it, so the four lines are repeated rather than depended on.)
    private static string AsciiDigits(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(c is >= '\u1040' and <= '\u1049' ? (char)('0' + (c - '\u1040')) : c);
        return sb.ToString();
    }

    private static char? TypeOf(string inside)
    {
        foreach (var (spelling, t) in Types)
            if (string.Equals(inside, spelling, StringComparison.Ordinal)) return t;
        return null;
    }
}
