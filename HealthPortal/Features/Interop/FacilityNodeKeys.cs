using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Crypto;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Interop;

/// <summary>
/// The server-held node key of a facility this portal hosts, found by its ledger id (the key thumbprint the
/// registry keeps as <c>NodeKeyId</c>). A facility hosted elsewhere has no key here: reads that must be logged in its
/// name cannot be served by this node, and fail closed.
/// </summary>
public sealed class FacilityNodeKeys(IDbContextFactory<ApplicationDbContext> dbFactory, ServerKeyVault vault)
{
    public async Task<LedgerKeyPair?> FindAsync(string facilityNodeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facilityId = await db.Facilities.AsNoTracking().Where(f => f.NodeKeyId == facilityNodeId).Select(f => f.Id).FirstOrDefaultAsync(ct);
        if (facilityId is null) return null;
        var key = vault.Find(ServerKeyVault.FacilityNode(facilityId));
        return key?.Id == facilityNodeId ? key : null;
    }

    /// <summary>The ledger ids of every facility whose node key this portal holds: the facilities served here.</summary>
    public async Task<IReadOnlySet<string>> HostedAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Facilities.AsNoTracking().Where(f => f.NodeKeyId != null).Select(f => new { f.Id, f.NodeKeyId }).ToListAsync(ct);
        return rows.Where(r => vault.Find(ServerKeyVault.FacilityNode(r.Id))?.Id == r.NodeKeyId).Select(r => r.NodeKeyId!).ToHashSet(StringComparer.Ordinal);
    }
}
