using System.Globalization;
using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Mpi.Evaluation;

/// <summary>One generated register row as a facility would have typed it, and the person it truly belongs to.</summary>
public sealed record SyntheticRecord(
    string Id, int PersonId, string Name, string? BurmeseName, string? BirthDate, Sex Sex, string? Nrc, string? Phone,
    string Township, string? FatherName)
{
    public MpiRecord ToMpiRecord() => MpiRecord.Create(Id, Name, BurmeseName, BirthDate, Sex, Nrc, Phone, Township, FatherName);
}

/// <summary>
/// A seeded generator of Myanmar-style patient registers with labelled truth, for evaluating the matcher. People get
/// names of two to four syllables drawn from a skewed list (so common names collide as they do in real registers),
/// birth dates, NRC numbers, phones and townships; about a quarter of people appear again at another facility with
/// the errors registers make: romanisation variants, honorifics, run-together syllables, typos, swapped day and month,
/// missing NRC or phone, a new phone, a move to another township, Burmese-script names with or without the Latin one.
/// Twins (same birth date, father and household, different names and cards) and namesakes are there to be told apart.
/// Fictional throughout: any likeness to a real person is chance.
/// </summary>
public static class MpiPopulation
{
    /// <summary>The error rates the generator applies to a repeat registration; the EM start point is built from these.</summary>
    public static class Rates
    {
        public const double Repeat = 0.25, SecondRepeat = 0.05, Twin = 0.01;
        public const double SyllableVariant = 0.25, Honorific = 0.35, RunTogether = 0.12, NameTypo = 0.06, SyllableDropped = 0.02;
        public const double SwappedDayMonth = 0.04, DateTypo = 0.03, DateMissing = 0.01;
        public const double NrcMissing = 0.35, NrcTypo = 0.02, NrcBurmese = 0.15, NrcTypedLoosely = 0.30;
        public const double PhoneMissing = 0.30, PhoneChanged = 0.15, Moved = 0.15, FatherMissing = 0.55, BurmeseName = 0.40, LatinMissing = 0.05;
        public const double SexError = 0.003;
    }

    // Syllables with a rough popularity (first is commonest) and their Burmese spelling.
    private static readonly (string Latin, string Burmese)[] Syllables =
    [
        ("aung", "အောင်"), ("kyaw", "ကျော်"), ("min", "မင်း"), ("htet", "ထက်"), ("myat", "မြတ်"), ("thu", "သူ"), ("zaw", "ဇော်"),
        ("aye", "အေး"), ("hnin", "နှင်း"), ("thiri", "သီရိ"), ("su", "စု"), ("myo", "မျိုး"), ("win", "ဝင်း"), ("moe", "မိုး"),
        ("khin", "ခင်"), ("thein", "သိန်း"), ("naing", "နိုင်"), ("htun", "ထွန်း"), ("myint", "မြင့်"), ("soe", "စိုး"), ("hla", "လှ"),
        ("thant", "သန့်"), ("phyo", "ဖြိုး"), ("kyi", "ကြည်"), ("mya", "မြ"), ("san", "စန်း"), ("nwe", "နွယ်"), ("thet", "သက်"),
        ("wai", "ဝေ"), ("yi", "ရီ"), ("ei", "အိ"), ("zin", "ဇင်"), ("lwin", "လွင်"), ("nyein", "ငြိမ်း"), ("swe", "ဆွေ"), ("lin", "လင်း"),
        ("khaing", "ခိုင်"), ("tin", "တင်"), ("maw", "မော်"), ("yin", "ယဉ်"), ("pyae", "ပြည့်"), ("sandar", "စန္ဒာ"), ("htay", "ဌေး"),
        ("shwe", "ရွှေ"), ("ohn", "အုန်း"), ("hlaing", "လှိုင်"), ("kaung", "ကောင်း"), ("nay", "နေ"), ("yan", "ရန်"), ("paing", "ပိုင်"),
        ("chit", "ချစ်"), ("kyal", "ကြယ်"), ("sein", "စိန်"), ("phyu", "ဖြူ"), ("ni", "နီ"), ("lay", "လေး"), ("khant", "ခန့်"),
        ("nyunt", "ညွန့်"), ("wint", "ဝင့်"), ("oo", "ဦး"), ("thi", "သီ"), ("myat", "မြတ်"), ("wutt", "ဝတ်"), ("yee", "ရည်"),
        ("thazin", "သဇင်"), ("ngwe", "ငွေ"), ("pwint", "ပွင့်"), ("hsu", "ဆု"), ("bo", "ဘို"), ("tar", "တာ"), ("nandar", "နန္ဒာ"),
    ];

    // Spellings other registers use for the same syllable (the matcher's variant table knows most, not all).
    private static readonly Dictionary<string, string[]> Spellings = new(StringComparer.Ordinal)
    {
        ["aung"] = ["aong", "awng"], ["kyaw"] = ["chaw", "kyao"], ["thein"] = ["thane", "thain"], ["hnin"] = ["nhin"],
        ["moe"] = ["mo", "moh"], ["myint"] = ["myin"], ["htun"] = ["tun", "htoon"], ["win"] = ["winn", "wynn"],
        ["zaw"] = ["zau"], ["khin"] = ["khinn"], ["nyein"] = ["nyain"], ["swe"] = ["sway", "swei"], ["soe"] = ["so", "soh"],
        ["hla"] = ["hlaa"], ["phyo"] = ["pyo", "phyoe"], ["kyi"] = ["kyee", "chi"], ["aye"] = ["eye", "aie"], ["htet"] = ["tet"],
        ["naing"] = ["nine"], ["khaing"] = ["khine"], ["htay"] = ["htei"], ["nay"] = ["nei", "ne"], ["lin"] = ["linn"],
        ["myo"] = ["myoe"], ["su"] = ["sue"], ["thet"] = ["thett"], ["yi"] = ["yee"], ["sein"] = ["sane"], ["hlaing"] = ["hline"],
        ["min"] = ["minn"], ["thu"] = ["thuu"], ["myat"] = ["myatt"], ["thiri"] = ["thiri", "thirii"], ["zin"] = ["zinn"],
    };

    private static readonly string[] Townships =
    [
        "Lanmadaw", "Kamayut", "Bahan", "Hlaing", "Insein", "Mayangone", "Thingangyun", "Dagon", "Sanchaung", "Tamwe",
        "Yankin", "Mingaladon", "Hlaingthaya", "Shwepyitha", "Thaketa", "North Okkalapa", "South Okkalapa", "Dawbon",
        "Botahtaung", "Pazundaung", "Chanayethazan", "Mahaaungmyay", "Aungmyethazan", "Pyigyitagon", "Amarapura",
        "Patheingyi", "Mawlamyine", "Pathein", "Taunggyi", "Bago", "Magway", "Monywa", "Sittwe", "Myitkyina",
    ];

    private static readonly string[] TownshipCodes =
    [
        "LAMANA", "KAMAYA", "BAHANA", "HALAKA", "AHSANA", "MAYAKA", "THAGAKA", "DAGANA", "SAKHANA", "TAMANA", "YAKANA",
        "MAGADA", "HALATHA", "SHAPATHA", "THAKATA", "OUKAMA", "DAPANA", "BATAHTA", "PAZATA", "KHAMASA", "MAHAMA",
        "AHMAZA", "PAKAKHA", "AHMAYA", "PATHAKA", "MALAMA", "PATHANA", "TAKANA", "BAGANA", "MAKANA",
    ];

    private static readonly Dictionary<char, string> BurmeseDigitsOf = Enumerable.Range(0, 10).ToDictionary(i => (char)('0' + i), i => ((char)('\u1040' + i)).ToString());

    // Consonants of the Latin township codes back to Myanmar script, for the Burmese-form NRC.
    private static readonly (string Latin, char Burmese)[] CodeLetters =
    [
        ("SHA", 'ရ'), ("THA", 'သ'), ("HTA", 'ထ'), ("KHA", 'ခ'), ("HSA", 'ဆ'), ("PHA", 'ဖ'), ("NYA", 'ည'), ("NGA", 'င'),
        ("KA", 'က'), ("GA", 'ဂ'), ("SA", 'စ'), ("ZA", 'ဇ'), ("TA", 'တ'), ("DA", 'ဒ'), ("NA", 'န'), ("PA", 'ပ'), ("BA", 'ဗ'),
        ("MA", 'မ'), ("YA", 'ယ'), ("LA", 'လ'), ("WA", 'ဝ'), ("HA", 'ဟ'), ("AH", 'အ'), ("OU", 'ဥ'),
    ];

    public static IReadOnlyList<SyntheticRecord> Generate(int records, int seed)
    {
        var rng = new Random(seed);
        var result = new List<SyntheticRecord>(records);
        var person = 0;
        var cumulative = SyllableWeights();
        while (result.Count < records)
        {
            var who = NewPerson(rng, cumulative, person++);
            Emit(rng, who, result, records);
            if (rng.NextDouble() < Rates.Twin && result.Count < records)
            {
                // A twin: same birth, father, household and sex half the time; another name and card number.
                var twin = NewPerson(rng, cumulative, person++) with
                {
                    BirthDate = who.BirthDate, Father = who.Father, Township = who.Township, Phone = who.Phone,
                    Sex = rng.NextDouble() < 0.5 ? who.Sex : who.Sex == Sex.Male ? Sex.Female : Sex.Male,
                    Nrc = who.Nrc is { } n ? n with { Number = (int.Parse(n.Number, CultureInfo.InvariantCulture) + 1).ToString("D6", CultureInfo.InvariantCulture) } : null,
                };
                // Twins often share a syllable ("Aung Kyaw Moe" and "Aung Kyaw Min").
                if (rng.NextDouble() < 0.5) twin = twin with { Syllables = [.. who.Syllables.Take(who.Syllables.Length - 1), twin.Syllables[^1]] };
                Emit(rng, twin, result, records);
            }
        }
        return result;
    }

    private sealed record Person(int Id, string[] Syllables, DateOnly BirthDate, Sex Sex, Nrc? Nrc, string? Phone, string Township, string[] Father);

    private static Person NewPerson(Random rng, double[] cumulative, int id)
    {
        var birth = new DateOnly(1940, 1, 1).AddDays(rng.Next(365 * 84));
        var adult = birth.Year <= 2008;
        var nrc = adult && rng.NextDouble() < 0.9
            ? new Nrc(rng.Next(1, 15), TownshipCodes[rng.Next(TownshipCodes.Length)], rng.NextDouble() < 0.95 ? 'N' : 'E', rng.Next(1_000_000).ToString("D6", CultureInfo.InvariantCulture))
            : null;
        var phone = rng.NextDouble() < 0.85 ? "09" + rng.Next(200_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture) : null;
        return new Person(id, Name(rng, cumulative, rng.Next(2, 5) switch { 4 when rng.NextDouble() < 0.5 => 3, var n => n }), birth,
            rng.NextDouble() < 0.5 ? Sex.Female : Sex.Male, nrc, phone, Townships[rng.Next(Townships.Length)], Name(rng, cumulative, rng.Next(2, 4)));
    }

    private static void Emit(Random rng, Person p, List<SyntheticRecord> into, int limit)
    {
        into.Add(Clean(rng, p, into.Count));
        var copies = rng.NextDouble() < Rates.Repeat ? rng.NextDouble() < Rates.SecondRepeat / Rates.Repeat ? 2 : 1 : 0;
        for (var c = 0; c < copies && into.Count < limit; c++) into.Add(Noisy(rng, p, into.Count));
    }

    private static SyntheticRecord Clean(Random rng, Person p, int row) => new(
        $"R{row:D7}", p.Id, Title(p.Syllables), rng.NextDouble() < Rates.BurmeseName ? Burmese(p.Syllables) : null,
        p.BirthDate.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), p.Sex,
        p.Nrc is { } n && rng.NextDouble() > 0.2 ? n.ToString() : null, p.Phone, p.Township,
        rng.NextDouble() > Rates.FatherMissing ? "U " + Title(p.Father) : null);

    private static SyntheticRecord Noisy(Random rng, Person p, int row)
    {
        var syllables = p.Syllables.Select(s => rng.NextDouble() < Rates.SyllableVariant && Spellings.TryGetValue(s, out var v) ? v[rng.Next(v.Length)] : s).ToList();
        if (syllables.Count > 2 && rng.NextDouble() < Rates.SyllableDropped) syllables.RemoveAt(rng.Next(syllables.Count));
        var name = rng.NextDouble() < Rates.RunTogether ? Capital(string.Concat(syllables)) : Title(syllables);
        if (rng.NextDouble() < Rates.NameTypo) name = Typo(rng, name);
        if (rng.NextDouble() < Rates.Honorific) name = Honorific(rng, p) + " " + name;
        var burmese = rng.NextDouble() < Rates.BurmeseName ? (rng.NextDouble() < 0.3 ? (p.Sex == Sex.Male ? "ဦး" : "ဒေါ်") : "") + Burmese(p.Syllables) : null;
        if (burmese is not null && rng.NextDouble() < Rates.LatinMissing) name = "";

        var date = p.BirthDate;
        string? dateText;
        var roll = rng.NextDouble();
        if (roll < Rates.DateMissing) dateText = null;
        else if (roll < Rates.DateMissing + Rates.SwappedDayMonth && date.Day <= 12 && date.Day != date.Month) dateText = $"{date.Month}/{date.Day}/{date.Year}";
        else if (roll < Rates.DateMissing + Rates.SwappedDayMonth + Rates.DateTypo) dateText = DateTypo(rng, date);
        else dateText = rng.Next(3) switch
        {
            0 => date.ToString("d-M-yyyy", CultureInfo.InvariantCulture),
            1 => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => string.Concat(date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture).Select(c => rng.NextDouble() < 0.1 && BurmeseDigitsOf.TryGetValue(c, out var b) ? b : c.ToString())),
        };

        string? nrc = null;
        if (p.Nrc is { } card && rng.NextDouble() > Rates.NrcMissing)
        {
            var number = rng.NextDouble() < Rates.NrcTypo ? Typo(rng, card.Number, digits: true) : card.Number;
            var typed = card with { Number = number };
            nrc = rng.NextDouble() < Rates.NrcBurmese ? BurmeseNrc(typed)
                : rng.NextDouble() < Rates.NrcTypedLoosely ? rng.Next(3) switch
                {
                    0 => $"{typed.State}/{typed.Township.ToLowerInvariant()}({(typed.Type == 'N' ? "Naing" : "Ei")}){typed.Number}",
                    1 => $"{typed.State}{typed.Township}({typed.Type}){typed.Number}",
                    _ => $"{typed.State} / {typed.Township} ({typed.Type}) {typed.Number}",
                }
                : typed.ToString();
        }

        var phone = p.Phone is null || rng.NextDouble() < Rates.PhoneMissing ? null
            : rng.NextDouble() < Rates.PhoneChanged ? "09" + rng.Next(200_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture)
            : rng.Next(3) switch { 0 => "+95 " + p.Phone[1..], 1 => p.Phone[..4] + "-" + p.Phone[4..], _ => p.Phone };
        var township = rng.NextDouble() < Rates.Moved ? Townships[rng.Next(Townships.Length)] : p.Township;
        var sex = rng.NextDouble() < Rates.SexError ? (p.Sex == Sex.Male ? Sex.Female : Sex.Male) : p.Sex;
        var father = rng.NextDouble() > Rates.FatherMissing ? Title(p.Father.Select(s => rng.NextDouble() < Rates.SyllableVariant && Spellings.TryGetValue(s, out var v) ? v[0] : s)) : null;
        return new SyntheticRecord($"R{row:D7}", p.Id, name, burmese, dateText, sex, nrc, phone, township, father);
    }

    private static string[] Name(Random rng, double[] cumulative, int length)
    {
        var name = new string[length];
        for (var i = 0; i < length; i++)
        {
            var x = rng.NextDouble() * cumulative[^1];
            var k = Array.BinarySearch(cumulative, x);
            name[i] = Syllables[k < 0 ? ~k : k].Latin;
        }
        return name;
    }

    // Zipf-like popularity: the k-th syllable is chosen in proportion to 1/(k+2).
    private static double[] SyllableWeights()
    {
        var cumulative = new double[Syllables.Length];
        var sum = 0.0;
        for (var k = 0; k < Syllables.Length; k++) cumulative[k] = sum += 1.0 / (k + 2);
        return cumulative;
    }

    private static string Honorific(Random rng, Person p) => p.Sex == Sex.Male
        ? new[] { "U", "Ko", "Maung", "Mg", "Dr" }[rng.Next(5)]
        : new[] { "Daw", "Ma", "Dr" }[rng.Next(3)];

    private static string Title(IEnumerable<string> syllables) => string.Join(' ', syllables.Select(Capital));

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Burmese(IEnumerable<string> syllables) =>
        string.Concat(syllables.Select(s => Syllables.First(x => x.Latin == s).Burmese));

    private static string Typo(Random rng, string text, bool digits = false)
    {
        if (text.Length < 3) return text;
        var chars = text.ToCharArray();
        var i = rng.Next(1, chars.Length - 1);
        switch (rng.Next(3))
        {
            case 0: chars[i] = digits ? (char)('0' + (chars[i] - '0' + 1 + rng.Next(9)) % 10) : (char)('a' + rng.Next(26)); return new string(chars);
            case 1 when !digits: return text.Remove(i, 1);
            default: (chars[i], chars[i - 1]) = (chars[i - 1], chars[i]); return new string(chars);
        }
    }

    private static string DateTypo(Random rng, DateOnly date)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var text = Typo(rng, date.ToString("ddMMyyyy", CultureInfo.InvariantCulture), digits: true);
            if (DateOnly.TryParseExact(text, "ddMMyyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var typo) && typo != date)
                return typo.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        }
        return date.AddYears(1).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
    }

    private static string BurmeseNrc(Nrc n)
    {
        var code = new System.Text.StringBuilder();
        var rest = n.Township;
        while (rest.Length > 0)
        {
            var letter = CodeLetters.FirstOrDefault(l => rest.StartsWith(l.Latin, StringComparison.Ordinal));
            if (letter.Latin is null) return n.ToString(); // a code with a letter the table does not carry stays Latin
            code.Append(letter.Burmese);
            rest = rest[letter.Latin.Length..];
        }
        var type = n.Type switch { 'N' => "နိုင်", 'E' => "ဧည့်", 'P' => "ပြု", _ => "သီ" };
        string Digits(string s) => string.Concat(s.Select(c => BurmeseDigitsOf[c]));
        return $"{Digits(n.State.ToString(CultureInfo.InvariantCulture))}/{code}({type}){Digits(n.Number)}";
    }
}
