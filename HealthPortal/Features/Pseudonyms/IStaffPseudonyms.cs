namespace HealthPortal.Features.Pseudonyms;

/// <summary>
/// Resolves the pseudonymous staff id of an access.log to the staff account behind it. The portal registers
/// <see cref="StaffAccountsByPseudonym"/> (it holds the secret); a host without the secret (component tests) registers
/// <see cref="UnresolvedStaffPseudonyms"/>, which answers "unknown" so pages show the pseudonym alone. Only the admin
/// review queue asks.
/// </summary>
public interface IStaffPseudonyms
{
    /// <summary>The display name of the account behind <paramref name="pseudonym"/> at that facility, or null.</summary>
    Task<string?> AccountOfAsync(string facilityId, string pseudonym, CancellationToken ct = default);

    /// <summary>
    /// What the person behind <paramref name="pseudonym"/> does at the facility, in words a patient reads ("Manager",
    /// "Staff member"); never who they are. Null when the pseudonym cannot be resolved, and pages then say "Staff member".
    /// </summary>
    Task<string?> RoleOfAsync(string facilityId, string pseudonym, CancellationToken ct = default) => Task.FromResult<string?>(null);
}

/// <summary>The default: no mapping, every pseudonym stays a pseudonym.</summary>
public sealed class UnresolvedStaffPseudonyms : IStaffPseudonyms
{
    public Task<string?> AccountOfAsync(string facilityId, string pseudonym, CancellationToken ct = default) => Task.FromResult<string?>(null);
}
