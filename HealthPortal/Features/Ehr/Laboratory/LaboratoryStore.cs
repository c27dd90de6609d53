using HealthPortal.Features.Facilities;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Laboratory;

/// <summary>A laboratory's store served as FHIR: one record per reported order (id lab-…).</summary>
public sealed class LaboratoryStore(string facilityId, string path) : EhrStoreBase<LaboratoryStoreContext>(facilityId, path)
{
    public override FacilityKind Kind => FacilityKind.Laboratory;

    protected override LaboratoryStoreContext Create(DbContextOptions<LaboratoryStoreContext> options) => new(options);

    internal static IQueryable<LabOrder> Orders(LaboratoryStoreContext db) => db.Orders.AsNoTracking().Include(o => o.Patient).Include(o => o.Results);

    protected override async Task<EhrRecord?> ReadAsync(LaboratoryStoreContext db, string recordId, CancellationToken ct) =>
        await Orders(db).SingleOrDefaultAsync(o => o.Id == recordId && o.ReportedAt != null, ct) is { } order ? LaboratoryFhir.Report(FacilityId, order, Zone) : null;

    protected override Task<List<string>> PatientMpisAsync(LaboratoryStoreContext db, CancellationToken ct) =>
        db.Patients.AsNoTracking().Select(p => p.Mpi).ToListAsync(ct);

    protected override async Task<List<EhrRecord>> RecordsOfAsync(LaboratoryStoreContext db, string mpi, CancellationToken ct)
    {
        var orders = await Orders(db).Where(o => o.Patient.Mpi == mpi && o.ReportedAt != null).ToListAsync(ct);
        return orders.OrderByDescending(o => o.CollectedAt).ThenBy(o => o.Id, StringComparer.Ordinal)
            .Select(o => LaboratoryFhir.Report(FacilityId, o, Zone)).ToList();
    }

    /// <summary>Orders of the patient still waiting for results, oldest first (for the results form).</summary>
    public async Task<IReadOnlyList<LabOrder>> PendingOrdersAsync(string mpi, CancellationToken ct = default)
    {
        if (!File.Exists(Path)) return [];
        await using var db = Open();
        var orders = await Orders(db).Where(o => o.Patient.Mpi == mpi && o.ReportedAt == null).ToListAsync(ct);
        return orders.OrderBy(o => o.CollectedAt).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
    }
}
