using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// Brings a store file to its format's current schema with that format's own migrations. Migrating is a no-op on
/// a current store and creates the tables beside anything else in the file (the provisioner's <c>store_info</c>),
/// then the format-independent correction tables (<see cref="EhrVersions.Tables"/>, idempotent).
/// </summary>
public static class EhrSchemas
{
    public static void Migrate(FacilityKind kind, string path)
    {
        using DbContext db = Create(kind, path);
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw(EhrVersions.Tables);
    }

    public static async Task MigrateAsync(FacilityKind kind, string path, CancellationToken ct = default)
    {
        await using DbContext db = Create(kind, path);
        await db.Database.MigrateAsync(ct);
        await db.Database.ExecuteSqlRawAsync(EhrVersions.Tables, ct);
    }

    private static DbContext Create(FacilityKind kind, string path) => kind switch
    {
        FacilityKind.Hospital => new HospitalStoreContext(EhrStoreBase<HospitalStoreContext>.OptionsFor(path, SqliteOpenMode.ReadWriteCreate)),
        FacilityKind.Clinic => new ClinicStoreContext(EhrStoreBase<ClinicStoreContext>.OptionsFor(path, SqliteOpenMode.ReadWriteCreate)),
        FacilityKind.Laboratory => new LaboratoryStoreContext(EhrStoreBase<LaboratoryStoreContext>.OptionsFor(path, SqliteOpenMode.ReadWriteCreate)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no EHR format for this kind"),
    };
}
