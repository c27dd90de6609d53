using HealthPortal.Data;

namespace HealthPortal.Features.Access;

/// <summary>
/// The staff member's words behind each break-glass access.log, by tx id. Owned here so the access log can show them
/// while break-glass (which keeps the sessions and builds on access views for its review queue) depends on this
/// folder and not the other way round.
/// </summary>
public interface IBreakGlassWords
{
    /// <summary>Words by access tx id, read in <paramref name="db"/> (the caller's unit of work); missing ids have none.</summary>
    Task<Dictionary<string, string>> WordsAsync(ApplicationDbContext db, IReadOnlyCollection<string> accessTxIds, CancellationToken ct);
}
