using System.Globalization;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Network;

/// <summary>
/// Creates an approved facility's own EHR store, <c>{data}/ehr/{facilityId}.db</c>. For now that is an empty SQLite
/// file holding one <c>store_info</c> row (facility id, kind, created); the per-format schemas (hospital encounters,
/// clinic visits, laboratory orders and results) arrive with the records work and take over from this file.
/// Stores know nothing of the ledger (DESIGN.md), so no ledger identifiers go in. Idempotent.
/// </summary>
public sealed class EhrStoreProvisioner(IOptions<PortalDataOptions> data, TimeProvider clock)
{
    public const string Folder = "ehr";

    public string PathOf(string facilityId)
    {
        // Facility ids are ours ("fac-…", "demo-…"), but this is a file name: refuse anything that could leave the folder.
        if (facilityId.Length == 0 || facilityId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"not a facility id: '{facilityId}'", nameof(facilityId));
        return Path.Combine(data.Value.DataFolderFullPath, Folder, facilityId + ".db");
    }

    public bool Exists(string facilityId) => File.Exists(PathOf(facilityId));

    /// <summary>Creates the store if it is missing; returns its path.</summary>
    public string Provision(HealthFacility facility)
    {
        var path = PathOf(facility.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // No pooling: the portal does not use this file yet, so let go of it at once.
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        using var db = new SqliteConnection(connection.ToString());
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS store_info(
                facility_id TEXT PRIMARY KEY, kind TEXT NOT NULL, created TEXT NOT NULL);
            INSERT OR IGNORE INTO store_info(facility_id, kind, created) VALUES ($id, $kind, $created);
            """;
        command.Parameters.AddWithValue("$id", facility.Id);
        command.Parameters.AddWithValue("$kind", facility.Kind.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$created", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        return path;
    }
}
