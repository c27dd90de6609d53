using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Hospital;

/// <summary>A hospital's store served as FHIR. Record ids carry their table: adm-, dx-, rx-, note-, alg-.</summary>
public sealed class HospitalStore(string facilityId, string path) : EhrStoreBase<HospitalStoreContext>(facilityId, path)
{
    public override FacilityKind Kind => FacilityKind.Hospital;

    protected override HospitalStoreContext Create(DbContextOptions<HospitalStoreContext> options) => new(options);

    protected override async Task<EhrRecord?> ReadAsync(HospitalStoreContext db, string recordId, CancellationToken ct)
    {
        var prefix = recordId.Split('-', 2)[0];
        switch (prefix)
        {
            case "adm":
                var a = await db.Admissions.AsNoTracking().Include(x => x.Patient).SingleOrDefaultAsync(x => x.Id == recordId, ct);
                return a is null ? null : HospitalFhir.Encounter(FacilityId, a, Zone);
            case "dx":
                var d = await db.Diagnoses.AsNoTracking().Include(x => x.Admission).ThenInclude(x => x.Patient).SingleOrDefaultAsync(x => x.Id == recordId, ct);
                return d is null ? null : HospitalFhir.Condition(FacilityId, d, Zone);
            case "rx":
                var p = await db.Prescriptions.AsNoTracking().Include(x => x.Admission).ThenInclude(x => x.Patient).SingleOrDefaultAsync(x => x.Id == recordId, ct);
                return p is null ? null : HospitalFhir.MedicationRequest(FacilityId, p, Zone);
            case "note":
                var n = await db.Notes.AsNoTracking().Include(x => x.Admission).ThenInclude(x => x.Patient).SingleOrDefaultAsync(x => x.Id == recordId, ct);
                return n is null ? null : HospitalFhir.DocumentReference(FacilityId, n, Zone);
            case "alg":
                var al = await db.Allergies.AsNoTracking().Include(x => x.Admission).ThenInclude(x => x.Patient).SingleOrDefaultAsync(x => x.Id == recordId, ct);
                return al is null ? null : HospitalFhir.AllergyIntolerance(FacilityId, al, Zone);
            default:
                return null;
        }
    }

    protected override Task<List<string>> PatientMpisAsync(HospitalStoreContext db, CancellationToken ct) =>
        db.Patients.AsNoTracking().Select(p => p.Mpi).ToListAsync(ct);

    protected override async Task<List<EhrRecord>> RecordsOfAsync(HospitalStoreContext db, string mpi, CancellationToken ct)
    {
        var admissions = await db.Admissions.AsNoTracking().AsSplitQuery()
            .Include(a => a.Patient).Include(a => a.Diagnoses).Include(a => a.Prescriptions).Include(a => a.Notes).Include(a => a.Allergies)
            .Where(a => a.Patient.Mpi == mpi)
            .ToListAsync(ct);
        return admissions.OrderByDescending(a => a.StartedAt).ThenBy(a => a.Id, StringComparer.Ordinal)
            .SelectMany(a => HospitalFhir.RecordsOf(FacilityId, a, Zone)).ToList();
    }
}
