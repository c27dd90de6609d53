using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Mpi;

/// <summary>
/// One patient's demographics as a facility holds them, normalised once for matching. They stay on the node that holds
/// them: the matcher runs where the data is and nothing here is written to the ledger.
/// </summary>
public sealed record MpiRecord(
    string Id, MyanmarName Name, DateOnly? BirthDate, Sex? Sex, Nrc? Nrc, string Phone, string Township, MyanmarName Father)
{
    /// <summary>
    /// Normalises what a register holds. Unreadable values (an NRC that does not parse, a date that is no date) count
    /// as missing for matching: a wrong value must not look like a disagreement, and the register keeps the original.
    /// </summary>
    public static MpiRecord Create(string id, string? name, string? burmeseName = null, string? birthDate = null, Sex? sex = null,
        string? nrc = null, string? phone = null, string? township = null, string? fatherName = null)
    {
        var date = MpiDates.Parse(birthDate);
        var card = Nrc.Parse(nrc);
        return new MpiRecord(id, MyanmarName.Parse(name, burmeseName), date.IsOk ? date.Value : null, sex,
            card.IsOk ? card.Value : null, MpiPhones.Normalise(phone), NormaliseTownship(township), MyanmarName.Parse(fatherName));
    }

    /// <summary>The same, from a date already known to be a date (a portal profile).</summary>
    public static MpiRecord Create(string id, string? name, DateOnly? birthDate, Sex? sex, string? nrc, string? phone,
        string? township = null, string? burmeseName = null, string? fatherName = null)
    {
        var card = Nrc.Parse(nrc);
        return new MpiRecord(id, MyanmarName.Parse(name, burmeseName), birthDate, sex, card.IsOk ? card.Value : null,
            MpiPhones.Normalise(phone), NormaliseTownship(township), MyanmarName.Parse(fatherName));
    }

    private static string NormaliseTownship(string? township) =>
        new string((township ?? "").ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray()).Replace("township", "", StringComparison.Ordinal);
}
