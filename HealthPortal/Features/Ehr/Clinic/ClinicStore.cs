using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Clinic;

/// <summary>A clinic's store served as FHIR. Record ids: visit- (the encounter bundle), note- (the visit note), alg- (an allergy).</summary>
public sealed class ClinicStore(string facilityId, string path) : EhrStoreBase<ClinicStoreContext>(facilityId, path)
{
    public override FacilityKind Kind => FacilityKind.Clinic;

    protected override ClinicStoreContext Create(DbContextOptions<ClinicStoreContext> options) => new(options);

    private static IQueryable<Visit> Visits(ClinicStoreContext db) => db.Visits.AsNoTracking().Include(v => v.Patient).Include(v => v.Vitals).Include(v => v.Allergies);

    protected override async Task<EhrRecord?> ReadAsync(ClinicStoreContext db, string recordId, CancellationToken ct)
    {
        if (recordId.StartsWith("visit-", StringComparison.Ordinal))
            return await Visits(db).SingleOrDefaultAsync(v => v.Id == recordId, ct) is { } visit ? ClinicFhir.Encounter(FacilityId, visit, Zone) : null;
        if (recordId.StartsWith("note-", StringComparison.Ordinal))
            return await Visits(db).SingleOrDefaultAsync(v => v.NoteId == recordId, ct) is { } visit ? ClinicFhir.Note(FacilityId, visit, Zone) : null;
        if (recordId.StartsWith("alg-", StringComparison.Ordinal))
            return await db.Allergies.AsNoTracking().Include(x => x.Visit).ThenInclude(v => v.Patient).SingleOrDefaultAsync(x => x.Id == recordId, ct) is { } allergy
                ? ClinicFhir.AllergyIntolerance(FacilityId, allergy, Zone) : null;
        return null;
    }

    protected override Task<List<string>> PatientMpisAsync(ClinicStoreContext db, CancellationToken ct) =>
        db.Patients.AsNoTracking().Select(p => p.Mpi).ToListAsync(ct);

    protected override async Task<List<EhrRecord>> RecordsOfAsync(ClinicStoreContext db, string mpi, CancellationToken ct)
    {
        var visits = await Visits(db).Where(v => v.Patient.Mpi == mpi).ToListAsync(ct);
        return visits.OrderByDescending(v => v.SeenAt).ThenBy(v => v.Id, StringComparer.Ordinal)
            .SelectMany(v => ClinicFhir.RecordsOf(FacilityId, v, Zone)).ToList();
    }
}
