using HealthPortal.Features.Ehr.Hospital;
namespace HealthPortal.Features.Admission;

/// <summary>
/// The lookalike table behind <see cref="FacilityNameSkeleton"/>: characters a reader takes for a plain Latin letter or
/// digit in a facility name, each mapped to that prototype the way Unicode TR39 (UTS #39) maps confusables. It is our
/// own selection, not the whole Unicode table: the Cyrillic, Greek and Latin-extension letters that look like ASCII,
/// the digit/letter swaps (0/O, 1/l/I/|) and "m"/"rn". Full-width forms, ligatures and roman numerals need no entry,
/// because names are NFKC-normalised before their skeletons are taken. A Myanmar-script registry would add its own
/// lookalikes here.
/// </summary>
internal static class FacilityNameConfusables
{
    /// <summary>Prototype → the characters that look like it.</summary>
    private static readonly (string Prototype, string Lookalikes)[] Groups =
    [
        ("a", "\u0430\u03B1\u0251"),                 // Cyrillic а, Greek α, Latin alpha
        ("A", "\u0410\u0391"),                       // Cyrillic А, Greek Α
        ("B", "\u0412\u0392"),                       // Cyrillic В, Greek Β
        ("c", "\u0441\u03F2\u1D04"),                 // Cyrillic с, Greek lunate sigma, small capital c
        ("C", "\u0421\u03F9"),                       // Cyrillic С, Greek capital lunate sigma
        ("d", "\u0501"),                             // Cyrillic komi de
        ("e", "\u0435\u04BD\u212E"),                 // Cyrillic е, Abkhasian che, estimated sign
        ("E", "\u0415\u0395"),                       // Cyrillic Е, Greek Ε
        ("g", "\u0261"),                             // Latin script g
        ("G", "\u050C"),                             // Cyrillic komi sje
        ("h", "\u04BB"),                             // Cyrillic shha
        ("H", "\u041D\u0397"),                       // Cyrillic Н, Greek Η
        ("i", "\u0456\u03B9\u0131\u0269"),           // Cyrillic і, Greek ι, dotless ı, Latin iota
        ("j", "\u0458\u03F3"),                       // Cyrillic ј, Greek yot
        ("J", "\u0408"),                             // Cyrillic Ј
        ("K", "\u041A\u039A"),                       // Cyrillic К, Greek Κ
        ("l", "1I|\u04CF\u04C0\u0406\u0399\u01C0\u2113"), // one, capital I, bar, Cyrillic palochka ӏ Ӏ, І, Greek Ι, click, script l
        ("M", "\u041C\u039C"),                       // Cyrillic М, Greek Μ
        ("n", "\u043F"),                             // Cyrillic п
        ("N", "\u039D"),                             // Greek Ν
        ("o", "\u043E\u03BF\u03C3\u0585\u1D0F"),     // Cyrillic о, Greek ο σ, Armenian օ, small capital o
        ("O", "0\u041E\u039F\u0555"),                // zero, Cyrillic О, Greek Ο, Armenian Օ
        ("p", "\u0440\u03C1"),                       // Cyrillic р, Greek ρ
        ("P", "\u0420\u03A1"),                       // Cyrillic Р, Greek Ρ
        ("q", "\u051B"),                             // Cyrillic qa
        ("r", "\u0433"),                             // Cyrillic г
        ("rn", "m"),                                 // r + n read as m
        ("s", "\u0455"),                             // Cyrillic ѕ
        ("S", "\u0405"),                             // Cyrillic Ѕ
        ("T", "\u0422\u03A4"),                       // Cyrillic Т, Greek Τ
        ("u", "\u03C5\u1D1C"),                       // Greek υ, small capital u
        ("v", "\u03BD\u0475\u1D20"),                 // Greek ν, Cyrillic izhitsa ѵ, small capital v
        ("V", "\u0474"),                             // Cyrillic Ѵ
        ("w", "\u051D\u1D21"),                       // Cyrillic we, small capital w
        ("W", "\u051C"),                             // Cyrillic We
        ("x", "\u0445\u00D7"),                       // Cyrillic х, multiplication sign
        ("X", "\u0425\u03A7"),                       // Cyrillic Х, Greek Χ
        ("y", "\u0443\u04AF\u03B3"),                 // Cyrillic у ү, Greek γ
        ("Y", "\u04AE\u03A5"),                       // Cyrillic Ү, Greek Υ
        ("Z", "\u0396"),                             // Greek Ζ
        ("ae", "\u00E6"), ("AE", "\u00C6"), ("oe", "\u0153"),
        ("2", "\u01A7"), ("3", "\u0417\u01B7"), ("5", "\u01BC"), ("6", "\u0431"), ("8", "\u0223"),
    ];

    /// <summary>Code point → prototype.</summary>
    public static IReadOnlyDictionary<int, string> Build()
    {
        var table = new Dictionary<int, string>();
        foreach (var (prototype, lookalikes) in Groups)
            foreach (var rune in lookalikes.EnumerateRunes())
                table.Add(rune.Value, prototype); // Add, not set: a character listed under two prototypes is a mistake
        return table;
    }
}
