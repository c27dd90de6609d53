using HealthPortal.Data;
using HealthPortal.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.BreakGlass;

/// <summary>Access views ask break-glass for the words behind its codes; the sessions that hold them live here.</summary>
public sealed class BreakGlassWords : IBreakGlassWords
{
    /// <summary>
    /// The staff member's words behind each break-glass access.log (by tx id), from the session this node opened for it.
    /// Another node's accesses have no session here, so they show the code alone.
    /// </summary>
    public async Task<Dictionary<string, string>> WordsAsync(ApplicationDbContext db, IReadOnlyCollection<string> accessTxIds, CancellationToken ct)
    {
        if (accessTxIds.Count == 0) return [];
        var rows = await (from a in db.Set<BreakGlassAccess>().AsNoTracking()
                          join s in db.Set<BreakGlassSession>().AsNoTracking() on a.SessionId equals s.Id
                          where accessTxIds.Contains(a.TxId)
                          select new { a.TxId, s.Reason }).ToListAsync(ct);
        return rows.GroupBy(r => r.TxId).ToDictionary(g => g.Key, g => g.First().Reason);
    }
}
