using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Facilities;

/// <summary>
/// What to call a facility the ledger names by its node id: the portal registry's name, else the name the node
/// registered on the ledger with, else the start of its id. One lookup, so the timeline, the sharing page and the access
/// history never call the same facility differently.
/// </summary>
public sealed class FacilityNames(IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger)
{
    /// <summary>A snapshot of the names known now; ask it for any node id.</summary>
    public async Task<Lookup> LoadAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facilities = await db.Facilities.AsNoTracking().Select(f => new { f.Id, f.NodeKeyId, f.Name }).ToListAsync(ct);
        // NodeKeyId has no unique index: a duplicate row must not break the page.
        return new Lookup(
            facilities.Where(f => f.NodeKeyId != null).GroupBy(f => f.NodeKeyId!).ToDictionary(g => g.Key, g => g.First().Name),
            facilities.ToDictionary(f => f.Id, f => f.Name, StringComparer.Ordinal), ledger);
    }

    public sealed class Lookup(IReadOnlyDictionary<string, string> registry, IReadOnlyDictionary<string, string> byFacilityId, LedgerHost ledger)
    {
        /// <summary>
        /// The registry's name of a facility by its portal id (the id a store's FHIR content names as performer or
        /// service provider, e.g. "demo-northgate"), or null when no facility has that id.
        /// </summary>
        public string? OfFacilityId(string facilityId) => byFacilityId.GetValueOrDefault(facilityId);

        /// <summary>Every facility the portal registry names, by node id (for filters).</summary>
        public IReadOnlyDictionary<string, string> Registered => registry;

        public string this[string nodeId] =>
            registry.GetValueOrDefault(nodeId) ?? ledger.Reader.Node(nodeId)?.Name ?? nodeId[..Math.Min(8, nodeId.Length)] + "…";
    }
}
