using System.Globalization;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// Creates an approved facility's own EHR store, <c>{data}/ehr/{facilityId}.db</c>: one <c>store_info</c> row
/// (facility id, kind, created) and the tables of the facility's format (hospital, clinic or laboratory), brought
/// to that format's latest migration. Stores know nothing of the ledger (DESIGN.md), so no ledger identifiers go
/// in. Idempotent: on an existing store (including the placeholder of earlier versions, which held only
/// <c>store_info</c>) it applies just the migrations the file lacks.
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
        // No pooling: the stores open their file per operation, so let go of it at once.
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
        db.Close();
        HealthPortal.Features.Ehr.EhrSchemas.Migrate(facility.Kind, path);
        return path;
    }
}
