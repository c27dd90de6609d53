using System.Security.Claims;

namespace HealthPortal.Features.Access;

/// <summary>
/// One request for a patient's share link (a SMART Health Link manifest): not a ledger read, but the patient must see
/// it beside the facilities' reads. <see cref="Outcome"/> is "opened", "wrong PIN" or "refused (expired/revoked/locked)".
/// A delegate's acts on the patient's links are listed the same way, with no client: "Made by X for you", "Revoked by X
/// for you" (<see cref="ByDelegate"/>).
/// </summary>
/// <param name="MadeBy">The name of the delegate who made the link for the patient; null when the patient made it.</param>
public sealed record ShareLinkOpening(DateTimeOffset At, string LinkLabel, string Client, string Address, string Recipient, string Outcome, bool Served,
    string? MadeBy = null, bool ByDelegate = false);

/// <summary>
/// The share links' retrievals for the access history. Owned here (implemented by <c>ShareLinks/</c>) so the access
/// page can list them while share links, which build on the patient's records, stay above this folder.
/// </summary>
public interface IShareLinkOpenings
{
    /// <summary>Retrievals of the links carrying the caller's own records (whoever made them) and a delegate's acts on them, newest first; empty for anyone else.</summary>
    Task<IReadOnlyList<ShareLinkOpening>> MineAsync(ClaimsPrincipal patient);
}
