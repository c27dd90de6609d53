using System.Text;

namespace HealthPortal.Features.Mpi;

/// <summary>
/// A personal name as the matcher compares it. Myanmar names have no family name, are romanised inconsistently and
/// carry honorifics (U, Daw, Ko, Ma, Maung, Mg, Dr) that are not part of the name, so the comparable form is the
/// sequence of canonical syllables with the honorifics removed and spacing ignored ("U Aung Kyaw Moe",
/// "aungkyaw moe" and "Aung Kyaw Mo" all become <c>aung kyaw moe</c>). A name written in Myanmar script is kept as its
/// own comparable form (<see cref="Burmese"/>): transliterating it back to Latin letters would lose more than it gains.
/// </summary>
public sealed record MyanmarName(IReadOnlyList<string> Syllables, string Burmese)
{
    public static readonly MyanmarName Empty = new([], "");

    /// <summary>The romanised name's canonical syllables joined by spaces (empty when only a Burmese-script name is known).</summary>
    public string Latin { get; } = string.Join(' ', Syllables);

    /// <summary>The canonical syllables without spaces: what Jaro–Winkler compares, so spacing never matters.</summary>
    public string Compact { get; } = string.Concat(Syllables);

    public bool IsEmpty => Syllables.Count == 0 && Burmese.Length == 0;

    /// <summary>
    /// The first consonant sound of the name (after honorifics), for blocking: "Aung" and "Aong" both give "a",
    /// "Kyaw" and "Chaw" both give "ky". Empty for a name without romanised syllables.
    /// </summary>
    public string InitialSound => Syllables.Count == 0 ? "" : SoundOf(Syllables[0]);

    // Honorifics and titles that precede a name. Only leading ones are removed and never the last word, because
    // "Maung Maung" or "Ma Ma" is a whole name.
    private static readonly HashSet<string> LatinHonorifics = new(StringComparer.Ordinal)
    {
        "u", "daw", "ko", "ma", "maung", "mg", "dr", "doctor", "saya", "sayama", "naw", "saw", "nang", "sai",
    };

    private static readonly string[] BurmeseHonorifics = ["ဦး", "ဒေါ်", "ကို", "မောင်", "ဒေါက်တာ", "ဆရာမ", "ဆရာ", "မ"];

    // Romanisation variants seen in registers, mapped to one spelling per syllable. The canonical spelling is the most
    // common one; the point is only that both sides of a comparison end up with the same letters.
    private static readonly Dictionary<string, string> Variants = new(StringComparer.Ordinal)
    {
        ["aong"] = "aung", ["aung"] = "aung", ["awng"] = "aung",
        ["kyaw"] = "kyaw", ["kyaww"] = "kyaw", ["chaw"] = "kyaw", ["kyao"] = "kyaw", ["kyau"] = "kyaw",
        ["thein"] = "thein", ["thane"] = "thein", ["thain"] = "thein", ["thien"] = "thein",
        ["hnin"] = "hnin", ["nhin"] = "hnin", ["hninn"] = "hnin",
        ["moe"] = "moe", ["mo"] = "moe", ["moh"] = "moe",
        ["myint"] = "myint", ["myin"] = "myint", ["myindt"] = "myint",
        ["htun"] = "htun", ["tun"] = "htun", ["htoon"] = "htun", ["toon"] = "htun",
        ["win"] = "win", ["winn"] = "win", ["wynn"] = "win",
        ["oo"] = "oo", ["oh"] = "oo",
        ["zaw"] = "zaw", ["zau"] = "zaw", ["zaww"] = "zaw",
        ["khin"] = "khin", ["khinn"] = "khin", ["khing"] = "khin",
        ["nyein"] = "nyein", ["nyain"] = "nyein", ["nyien"] = "nyein",
        ["swe"] = "swe", ["swei"] = "swe", ["sway"] = "swe",
        ["soe"] = "soe", ["so"] = "soe", ["soh"] = "soe",
        ["hla"] = "hla", ["hlaa"] = "hla", ["lha"] = "hla",
        ["phyo"] = "phyo", ["pyo"] = "phyo", ["phyoe"] = "phyo",
        ["thet"] = "thet", ["thett"] = "thet",
        ["kyi"] = "kyi", ["kyee"] = "kyi", ["chi"] = "kyi",
        ["thant"] = "thant", ["thandt"] = "thant",
        ["aye"] = "aye", ["aie"] = "aye", ["eye"] = "aye",
        ["mya"] = "mya", ["myah"] = "mya",
        ["san"] = "san", ["sann"] = "san",
        ["nwe"] = "nwe", ["nway"] = "nwe",
        ["naing"] = "naing", ["nine"] = "naing", ["naig"] = "naing",
        ["min"] = "min", ["minn"] = "min",
        ["htet"] = "htet", ["tet"] = "htet",
        ["wai"] = "wai", ["way"] = "wai",
        ["yi"] = "yi", ["yee"] = "yi",
        ["thu"] = "thu", ["thuu"] = "thu",
        ["myo"] = "myo", ["myoe"] = "myo",
        ["su"] = "su", ["sue"] = "su",
        ["ei"] = "ei", ["ay"] = "aye",
        ["zin"] = "zin", ["zinn"] = "zin",
        ["lwin"] = "lwin", ["lwinn"] = "lwin",
        ["nyunt"] = "nyunt", ["nyun"] = "nyunt",
        ["lin"] = "lin", ["linn"] = "lin",
        ["khaing"] = "khaing", ["khine"] = "khaing",
        ["tin"] = "tin", ["tinn"] = "tin",
        ["maw"] = "maw", ["mau"] = "maw",
        ["yin"] = "yin", ["yinn"] = "yin",
        ["thi"] = "thi", ["thee"] = "thi",
        ["wint"] = "wint",
        ["kyu"] = "kyu",
        ["pyae"] = "pyae", ["pyay"] = "pyae", ["pyai"] = "pyae",
        ["sandar"] = "sandar", ["sanda"] = "sandar",
        ["htay"] = "htay", ["htei"] = "htay", ["htae"] = "htay",
        ["shwe"] = "shwe", ["shway"] = "shwe",
        ["ohn"] = "ohn", ["own"] = "ohn",
        ["hlaing"] = "hlaing", ["hline"] = "hlaing",
        ["kaung"] = "kaung", ["kaong"] = "kaung",
        ["nay"] = "nay", ["nei"] = "nay", ["ne"] = "nay",
        ["yan"] = "yan", ["yann"] = "yan",
        ["paing"] = "paing", ["pine"] = "paing",
        ["chit"] = "chit", ["chitt"] = "chit",
        ["ko"] = "ko", ["koe"] = "ko",
        ["ma"] = "ma", ["maung"] = "maung", ["mg"] = "maung",
        ["kyal"] = "kyal", ["kyel"] = "kyal",
        ["sein"] = "sein", ["sane"] = "sein",
        ["phyu"] = "phyu", ["phue"] = "phyu",
        ["ni"] = "ni", ["nee"] = "ni",
        ["lay"] = "lay", ["lei"] = "lay",
        ["khant"] = "khant", ["khan"] = "khant",
    };

    // Spellings longest first, for splitting a run-together name ("aungkyawmoe") into syllables.
    private static readonly string[] SpellingsLongestFirst = Variants.Keys.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).ToArray();

    /// <summary>Normalises a name typed in Latin letters, Myanmar script, or both.</summary>
    public static MyanmarName Parse(string? latinOrBurmese, string? burmese = null)
    {
        var text = (latinOrBurmese ?? "").Normalize(NormalizationForm.FormC);
        string latin = text, script = (burmese ?? "").Normalize(NormalizationForm.FormC);
        if (MyanmarText.HasMyanmarLetters(text)) { latin = ""; if (script.Length == 0) script = text; }
        return new MyanmarName(LatinSyllables(latin), BurmeseForm(script));
    }

    /// <summary>The canonical spelling of one romanised syllable (itself when it has no known variant).</summary>
    public static string Canonical(string syllable) => Variants.TryGetValue(syllable, out var c) ? c : CollapseDoubles(syllable);

    private static IReadOnlyList<string> LatinSyllables(string latin)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in MyanmarText.AsciiDigits(latin).ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(ch)) current.Append(ch);
            else if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) words.Add(current.ToString());

        // Only leading honorifics go, never the last word, and not one that is doubled: "Maung Maung" and "Ma Ma" are names.
        var start = 0;
        while (start < words.Count - 1 && LatinHonorifics.Contains(words[start]) && words[start + 1] != words[start]) start++;

        var syllables = new List<string>();
        for (var i = start; i < words.Count; i++)
        {
            if (Variants.ContainsKey(words[i])) { syllables.Add(Variants[words[i]]); continue; }
            var split = Split(words[i]);
            if (split is not null) syllables.AddRange(split);
            else syllables.Add(CollapseDoubles(words[i]));
        }
        return syllables;
    }

    /// <summary>Splits a run-together name into known syllables (canonical spellings), or null when it does not split wholly.</summary>
    private static List<string>? Split(string word)
    {
        // Depth-first over known spellings, longest first: names are a few syllables long, so this is cheap.
        if (word.Length == 0) return [];
        foreach (var spelling in SpellingsLongestFirst)
        {
            if (!word.StartsWith(spelling, StringComparison.Ordinal)) continue;
            var rest = Split(word[spelling.Length..]);
            if (rest is null) continue;
            rest.Insert(0, Variants[spelling]);
            return rest;
        }
        return null;
    }

    // "Winn" and "Win", "Linn" and "Lin": a doubled final letter carries no sound.
    private static string CollapseDoubles(string word) =>
        word.Length > 2 && word[^1] == word[^2] ? word[..^1] : word;

    private static string BurmeseForm(string script)
    {
        var text = MyanmarText.AsciiDigits(script).Trim();
        if (text.Length == 0) return "";
        var words = text.Split([' ', '\u00A0', '\t', '.'], StringSplitOptions.RemoveEmptyEntries).ToList();
        // A leading honorific is its own word, or glued to the name (ဦးအောင်...); never strip the whole name.
        if (words.Count > 1 && BurmeseHonorifics.Contains(words[0])) words.RemoveAt(0);
        else if (words.Count > 0)
        {
            foreach (var h in BurmeseHonorifics.Where(h => h != "မ"))
                if (words[0].Length > h.Length && words[0].StartsWith(h, StringComparison.Ordinal)) { words[0] = words[0][h.Length..]; break; }
        }
        // Spacing between Myanmar syllables is a matter of habit, not spelling.
        return string.Concat(words).Replace("\u200B", "", StringComparison.Ordinal);
    }

    private static string SoundOf(string syllable)
    {
        // The onset: letters up to the first vowel; a vowel-initial syllable ("aung", "oo") is its first letter.
        var i = 0;
        while (i < syllable.Length && "aeiou".IndexOf(syllable[i]) < 0) i++;
        var onset = i == 0 ? syllable[..1] : syllable[..i];
        // Aspiration and the h of "hn"/"hl"/"ht" are romanised inconsistently; the core consonant is what people agree on.
        return onset switch
        {
            "ch" or "ky" => "ky",
            "ht" or "t" => "t",
            "hn" or "n" => "n",
            "hl" or "l" => "l",
            "ph" or "p" or "py" or "phy" => "p",
            "kh" or "k" => "k",
            "sh" or "s" => "s",
            "hm" or "m" or "my" => "m",
            _ => onset,
        };
    }
}
