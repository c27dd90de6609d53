namespace HealthPortal.Features.Mpi;

/// <summary>The fields the matcher compares, in the order of a comparison vector.</summary>
public enum MpiField
{
    Name,
    BurmeseName,
    BirthDate,
    Sex,
    Nrc,
    Phone,
    Township,
    FatherName,
}

/// <summary>How a field's values agreed, as staff read it beside a candidate.</summary>
public enum FieldAgreement
{
    Missing,
    Agree,
    Partial,
    Disagree,
}

/// <summary>
/// The agreement levels of each field. Level 0 is always "missing on either side"; the last level is "disagree".
/// Fellegi–Sunter gives each level its own weight log2(m/u), so "names sound alike" can count for less than "names
/// are the same" without a hand-made scale.
/// </summary>
public static class MpiLevels
{
    public static readonly MpiField[] Fields = Enum.GetValues<MpiField>();

    /// <summary>The level names per field (for configuration, the report and the desk).</summary>
    public static IReadOnlyList<string> Of(MpiField field) => field switch
    {
        MpiField.Name => ["missing", "exact", "close", "similar", "disagree"],
        MpiField.BurmeseName => ["missing", "exact", "close", "disagree"],
        MpiField.BirthDate => ["missing", "exact", "swapped day/month", "typo", "same year", "disagree"],
        MpiField.Sex => ["missing", "agree", "disagree"],
        MpiField.Nrc => ["missing", "exact", "same card number", "disagree"],
        MpiField.Phone => ["missing", "exact", "disagree"],
        MpiField.Township => ["missing", "agree", "disagree"],
        MpiField.FatherName => ["missing", "exact", "close", "disagree"],
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    public static int Count(MpiField field) => Of(field).Count;

    /// <summary>
    /// The level of <paramref name="field"/> that the score and EM count: as compared, except that the Burmese-script
    /// name is left out (0) when the romanised names already agree exactly or closely. Both scripts write the same
    /// syllables, so counting both counted one name twice — namesakes born the same year then linked on the name
    /// alone (docs/mpi.md, runs 3, 4 and 6). Where the romanised names are missing, only similar or disagree, the Burmese
    /// spelling is the independent evidence that romanisation hid.
    /// </summary>
    public static int Counted(ReadOnlySpan<byte> levels, int field) =>
        field == (int)MpiField.BurmeseName && levels[(int)MpiField.Name] is 1 or 2 ? 0 : levels[field];

    /// <summary>What a level means at the desk: the first non-missing level agrees, the last disagrees, the rest are partial.</summary>
    public static FieldAgreement Agreement(MpiField field, int level) =>
        level == 0 ? FieldAgreement.Missing : level == 1 ? FieldAgreement.Agree : level == Count(field) - 1 ? FieldAgreement.Disagree : FieldAgreement.Partial;
}
