using System.Security.Claims;

namespace HealthPortal.Features.Access;

/// <summary>
/// One request for a patient's share link (a SMART Health Link manifest): not a ledger read, but the patient must see
/// it beside the facilities' reads. <see cref="Outcome"/> is "opened", "wrong PIN" or "refused (expired/revoked/locked)".
/// </summary>
public sealed record ShareLinkOpening(DateTimeOffset At, string LinkLabel, string Client, string Address, string Recipient, string Outcome, bool Served);

/// <summary>
/// The share links' retrievals for the access history. Owned here (implemented by <c>ShareLinks/</c>) so the access
/// page can list them while share links, which build on the patient's records, stay above this folder.
/// </summary>
public interface IShareLinkOpenings
{
    /// <summary>Retrievals of the caller's own links, newest first; empty for anyone else.</summary>
    Task<IReadOnlyList<ShareLinkOpening>> MineAsync(ClaimsPrincipal patient);
}
