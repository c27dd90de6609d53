using HealthPortal.Features.Pseudonyms;
namespace HealthPortal.Features.Access;

/// <summary>One record named by an access.log, with what the ledger knows of it (kind and date) when it is anchored.</summary>
public sealed record AccessedRecord(string Reference, string FacilityId, string FacilityName, string RecordId, string? Kind, string? Date);

/// <summary>The grant an access relied on, as the ledger holds it (and the patient's words for "other" from this portal).</summary>
public sealed record GrantSummary(
    string Id, IReadOnlyList<string> Categories, string Purpose, DateTimeOffset NotBefore, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt)
{
    public string? PurposeText { get; init; }
    /// <summary>The purpose in the reader's language, or the patient's own words for "other".</summary>
    public string PurposeLabel => HealthPortal.Features.Grants.GrantPurposes.Text(Purpose, PurposeText);
}

/// <summary>
/// One logged read of a patient's records (an access.log on the ledger), with facility and record names filled in.
/// <see cref="StaffAccount"/> is the staff account behind the pseudonym, resolved for admins only and only when a
/// <see cref="IStaffPseudonyms"/> mapping exists; the patient always sees the pseudonym.
/// <see cref="BreakGlassCode"/> is the ledger's break-glass reason code; <see cref="BreakGlassText"/> the staff member's
/// words from this node's database, when this node opened the session (the ledger only has their hash).
/// </summary>
public sealed record AccessView(
    string TxId, string Mpi, string FacilityId, string FacilityName, string Staff, string? StaffAccount,
    IReadOnlyList<AccessedRecord> Records, string Purpose, GrantSummary? Grant, string? BreakGlassCode,
    DateTimeOffset At, long Height, int Index)
{
    public string? BreakGlassText { get; init; }

    /// <summary>What the reader does at the facility ("Staff member", "Manager"), from <see cref="IStaffPseudonyms"/>;
    /// null when the pseudonym is not this portal's to resolve.</summary>
    public string? StaffRole { get; init; }

    /// <summary>The reader as a patient sees them: role and facility ("Staff member at Riverside General Hospital");
    /// the pseudonym is a detail beside it, not the name.</summary>
    public string StaffLabel => AccessWords.Format("StaffAt", StaffRoleText, FacilityName);

    /// <summary>
    /// <see cref="StaffRole"/> in the reader's language. The pseudonym mapping names the role in English ("Manager",
    /// "Staff member"), which the checks and logs read; only the page translates it.
    /// </summary>
    public string StaffRoleText => StaffRole switch
    {
        null or "Staff member" => AccessWords.Text("StaffMember"),
        "Manager" => AccessWords.Text("Manager"),
        var other => other,
    };

    /// <summary>
    /// The salted hash of the staff member's words that a break-glass access.log carries. The salt is new for every
    /// emergency session, so the hash names the session on the ledger itself, on every node (not only where it was opened).
    /// </summary>
    public string? BreakGlassHash { get; init; }

    /// <summary>One emergency session's key: the same facility, staff member, patient and reason commitment.</summary>
    public string? SessionKey => IsBreakGlass ? $"{FacilityId}|{Staff}|{Mpi}|{BreakGlassHash ?? TxId}" : null;

    public bool IsBreakGlass => BreakGlassCode is not null;

    /// <summary>The kind of emergency in words, for display; null for a read under a grant.</summary>
    public string? BreakGlassLabel => BreakGlassCode is { } code ? HealthPortal.Features.Ledger.LedgerCodeLabels.BreakGlass(code) : null;

    /// <summary>The purpose in the reader's language (the FHIR export reads <see cref="Purpose"/> and labels it in English).</summary>
    public string PurposeLabel => HealthPortal.Features.Grants.GrantPurposes.Text(Purpose);
}

/// <summary>Which accesses a list shows. Dates are whole days in UTC, both ends included.</summary>
public sealed record AccessFilter(string? FacilityId = null, bool BreakGlassOnly = false, DateOnly? From = null, DateOnly? To = null)
{
    public static readonly AccessFilter None = new();

    public bool Matches(AccessView access)
    {
        if (FacilityId is not null && access.FacilityId != FacilityId) return false;
        if (BreakGlassOnly && !access.IsBreakGlass) return false;
        var day = DateOnly.FromDateTime(access.At.UtcDateTime);
        if (From is { } from && day < from) return false;
        if (To is { } to && day > to) return false;
        return true;
    }
}
