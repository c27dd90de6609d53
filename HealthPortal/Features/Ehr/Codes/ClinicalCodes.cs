using System.Globalization;
using System.Text;

namespace HealthPortal.Features.Ehr.Codes;

/// <summary>An ICD-10 code and its WHO title, as the diagnosis picker offers it.</summary>
public sealed record DiagnosisCode(string Code, string Title)
{
    public override string ToString() => $"{Code} {Title}";
}

/// <summary>A medicine from the WHO essential medicines list with one strength and form; <see cref="Display"/> is what a prescription keeps.</summary>
public sealed record MedicineEntry(string Name, string Strength, string Form)
{
    public string Display => Strength is "" or "—" ? $"{Name} {Form}" : $"{Name} {Strength} {Form}";

    public override string ToString() => Display;
}

/// <summary>
/// The code lists shipped with the app (<c>Features/Ehr/Codes/*.tsv</c>, embedded; sources in the README beside
/// them), searched as staff type: every word of the query must start a word of the entry, or (for ICD-10) the query is
/// the start of the code. Read once; immutable, so one instance serves every circuit.
/// </summary>
public sealed class ClinicalCodes
{
    /// <summary>Suggestions shown at once; a longer query narrows them.</summary>
    public const int MaxSuggestions = 20;

    public ClinicalCodes()
    {
        Diagnoses = Read("icd10-common.tsv", 2).Select(f => new DiagnosisCode(f[0], f[1])).ToList();
        Medicines = Read("medicines-who-eml.tsv", 3).Select(f => new MedicineEntry(f[0], f[1], f[2])).ToList();
        _diagnosisWords = Diagnoses.Select(d => Words(d.Title)).ToList();
        _medicineWords = Medicines.Select(m => Words(m.Display)).ToList();
    }

    public IReadOnlyList<DiagnosisCode> Diagnoses { get; }
    public IReadOnlyList<MedicineEntry> Medicines { get; }

    private readonly List<string[]> _diagnosisWords;
    private readonly List<string[]> _medicineWords;

    /// <summary>Diagnoses whose code starts with the query ("J18") first, then those whose title matches every word ("pneum unsp").</summary>
    public IReadOnlyList<DiagnosisCode> SearchDiagnoses(string? query)
    {
        var text = (query ?? "").Trim();
        if (text.Length == 0) return [];
        var code = text.ToUpperInvariant();
        var byCode = Diagnoses.Where(d => d.Code.StartsWith(code, StringComparison.Ordinal)).OrderBy(d => d.Code, StringComparer.Ordinal);
        var words = Words(text);
        var byTitle = Diagnoses.Where((d, i) => Matches(words, _diagnosisWords[i]));
        return byCode.Concat(byTitle).Distinct().Take(MaxSuggestions).ToList();
    }

    /// <summary>Medicines whose name, strength or form match every word of the query ("amox 500").</summary>
    public IReadOnlyList<MedicineEntry> SearchMedicines(string? query)
    {
        var words = Words(query ?? "");
        if (words.Length == 0) return [];
        return Medicines.Where((m, i) => Matches(words, _medicineWords[i])).Take(MaxSuggestions).ToList();
    }

    /// <summary>The title of a listed code, or null (a well-formed code outside this subset is still a valid ICD-10 code).</summary>
    public string? TitleOf(string? code) => Diagnoses.FirstOrDefault(d => d.Code == code?.Trim().ToUpperInvariant())?.Title;

    private static bool Matches(string[] query, string[] entry) => query.All(q => entry.Any(w => w.StartsWith(q, StringComparison.Ordinal)));

    /// <summary>Lower case, accents off, split on anything that is not a letter or digit.</summary>
    private static string[] Words(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            builder.Append(char.IsLetterOrDigit(c) || c == '.' ? char.ToLowerInvariant(c) : ' ');
        }
        return builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static IEnumerable<string[]> Read(string file, int fields)
    {
        var assembly = typeof(ClinicalCodes).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + file, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var rows = new List<string[]>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (parts.Length != fields) throw new InvalidDataException($"{file}: '{line}' has {parts.Length} fields, not {fields}");
            rows.Add(parts);
        }
        return rows;
    }
}
