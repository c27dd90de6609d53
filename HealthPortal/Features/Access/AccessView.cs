namespace HealthPortal.Features.Access;

/// <summary>One record named by an access.log, with what the ledger knows of it (kind and date) when it is anchored.</summary>
public sealed record AccessedRecord(string Reference, string FacilityId, string FacilityName, string RecordId, string? Kind, string? Date);

/// <summary>The grant an access relied on, as the ledger holds it.</summary>
public sealed record GrantSummary(
    string Id, IReadOnlyList<string> Categories, string Purpose, DateTimeOffset NotBefore, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>
/// One logged read of a patient's records (an access.log on the ledger), with facility and record names filled in.
/// <see cref="StaffAccount"/> is the staff account behind the pseudonym, resolved for admins only and only when a
/// <see cref="IStaffPseudonyms"/> mapping exists; the patient always sees the pseudonym.
/// </summary>
public sealed record AccessView(
    string TxId, string Mpi, string FacilityId, string FacilityName, string Staff, string? StaffAccount,
    IReadOnlyList<AccessedRecord> Records, string Purpose, GrantSummary? Grant, string? BreakGlassReason,
    DateTimeOffset At, long Height, int Index)
{
    public bool IsBreakGlass => BreakGlassReason is not null;
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
