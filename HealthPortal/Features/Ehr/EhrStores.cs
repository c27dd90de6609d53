using System.Collections.Concurrent;
using HealthPortal.Data;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// The EHR stores hosted on this node: a facility's format comes from the portal registry, its file from the
/// provisioner. A facility is named by its portal id ("demo-riverside") or by its ledger id (node key thumbprint,
/// what a <c>record.anchor</c> names); records always carry the portal id.
/// </summary>
public sealed class EhrStores(IDbContextFactory<ApplicationDbContext> portal, EhrStoreProvisioner provisioner)
{
    private readonly ConcurrentDictionary<string, (string Id, FacilityKind Kind, string Zone)> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _migrated = new(StringComparer.Ordinal);

    /// <summary>
    /// The store of a facility registered here, or null. Its schema is brought up to date once per process the first
    /// time it is asked for (a store provisioned before this format's last migration, or the placeholder file of early
    /// versions), so reads and writes alike see the current tables. A missing file stays missing: reads then say
    /// Unavailable, and only provisioning creates a store.
    /// </summary>
    public IEhrStore? Find(string facilityId)
    {
        if (!_known.TryGetValue(facilityId, out var facility))
        {
            using var db = portal.CreateDbContext();
            var row = db.Facilities.AsNoTracking()
                .Where(f => f.Id == facilityId || f.NodeKeyId == facilityId)
                .Select(f => new { f.Id, f.Kind, f.TimeZone })
                .FirstOrDefault();
            if (row is null) return null;
            facility = _known.GetOrAdd(facilityId, (row.Id, row.Kind, row.TimeZone));
        }
        var store = Open(facility.Id, facility.Kind, Times.PortalTimeZones.Find(facility.Zone));
        var path = provisioner.PathOf(store.FacilityId);
        // Checked before migrating: migrating opens the file read-write-create and would make a store out of nothing.
        if (!_migrated.ContainsKey(path) && File.Exists(path))
        {
            try
            {
                EhrSchemas.Migrate(store.Kind, path);
                _migrated[path] = true;
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // A damaged file: left as it is, so reads report it Unavailable (with SQLite's reason) and writes fail.
            }
        }
        return store;
    }

    /// <summary>The store for a facility of a known kind, without asking the registry.</summary>
    /// <param name="zone">The facility's time zone (the day its records are listed under); the portal default when not given.</param>
    public IEhrStore Open(string facilityId, FacilityKind kind, TimeZoneInfo? zone = null)
    {
        var path = provisioner.PathOf(facilityId);
        zone ??= Times.PortalTimeZones.Default;
        return kind switch
        {
            FacilityKind.Hospital => new HospitalStore(facilityId, path) { Zone = zone },
            FacilityKind.Clinic => new ClinicStore(facilityId, path) { Zone = zone },
            FacilityKind.Laboratory => new LaboratoryStore(facilityId, path) { Zone = zone },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no EHR format for this kind"),
        };
    }

    /// <summary>Queues this node's writers of one store file (<see cref="EhrWriteGate"/>); the form saves and the Bundle posts share it.</summary>
    public EhrWriteGate Writes { get; } = new();

    /// <summary>The store to write to; null when the facility or its file is missing (writing never creates a store).</summary>
    public Task<IEhrStore?> ForWriteAsync(string facilityId, CancellationToken ct = default) =>
        Task.FromResult(Find(facilityId) is { } store && File.Exists(provisioner.PathOf(store.FacilityId)) ? store : null);
}

/// <summary>Records of facilities hosted on this node, straight from their stores.</summary>
public sealed class LocalRecordFetcher(EhrStores stores) : IRecordFetcher
{
    public Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default) =>
        stores.Find(facilityId) is { } store
            ? store.ReadAsync(recordId, ct)
            : Task.FromResult(EhrRead.Unavailable($"facility {facilityId} is not hosted on this node"));

    public Task<IReadOnlyList<EhrRead>> FetchManyAsync(string facilityId, IReadOnlyList<string> recordIds, CancellationToken ct = default) =>
        stores.Find(facilityId) is { } store
            ? store.ReadManyAsync(recordIds, ct)
            : Task.FromResult<IReadOnlyList<EhrRead>>([.. recordIds.Select(_ => EhrRead.Unavailable($"facility {facilityId} is not hosted on this node"))]);
}
