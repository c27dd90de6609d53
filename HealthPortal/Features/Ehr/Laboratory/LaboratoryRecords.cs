using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Patients;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Laboratory;

/// <summary>
/// The laboratory's two steps: an order (specimen, tests from the catalogue), then its results. Reporting writes
/// every value of the order with its flag in one transaction and answers with the order's one record; a reported
/// order is closed (a second report would change what may already be anchored).
/// </summary>
public sealed class LaboratoryRecords(EhrStores stores, TimeProvider clock)
{
    public async Task<Result<EhrSaved, EhrError>> CreateOrderAsync(string facilityId, string mpi, LabOrderInput input, string staff, CancellationToken ct = default)
    {
        var e = new FieldErrors();
        if (!MpiNumber.TryParse(mpi, out var mpiNumber, out var mpiError)) e.Add("Mpi", mpiError);
        var clinician = e.Required(nameof(input.OrderingClinician), input.OrderingClinician, "Ordering clinician");
        var specimen = input.SpecimenType?.Trim() ?? "";
        if (!LabCatalogue.SpecimenTypes.Contains(specimen)) e.Add(nameof(input.SpecimenType), "Choose a specimen type.");
        var collected = e.Require(nameof(input.CollectedAt), input.CollectedAt, "Collected at");
        if (collected > clock.GetUtcNow().UtcDateTime.AddHours(1)) e.Add(nameof(input.CollectedAt), "Collected at cannot be in the future.");
        var tests = input.Tests.Distinct().Select(LabCatalogue.Find).ToList();
        if (tests.Count == 0) e.Add(nameof(input.Tests), "Choose at least one test.");
        else if (tests.Any(t => t is null)) e.Add(nameof(input.Tests), "Only tests from the catalogue can be ordered.");
        if (e.Any) return Result.Invalid(EhrError.Invalid, e.List);

        if (await stores.ForWriteAsync(facilityId, ct) is not LaboratoryStore store)
            return Result.Fail(EhrError.NoStore, $"{facilityId} has no laboratory EHR store on this node.");
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = store.Open();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var patient = await db.PatientForWriteAsync(mpiNumber, ct);
        var order = new LabOrder
        {
            Id = EhrIds.New("lab"),
            Patient = patient,
            PatientMrn = patient.Mrn,
            OrderingClinician = clinician,
            SpecimenType = specimen,
            CollectedAt = HospitalRecords.Truncate(collected!.Value),
            EnteredBy = staff,
        };
        order.Results.AddRange(tests.Select((t, i) => new LabResult
        {
            Id = EhrIds.New("res"),
            Position = i,
            Loinc = t!.Loinc,
            Name = t.Name,
            Unit = t.Unit,
            ReferenceLow = t.Low,
            ReferenceHigh = t.High,
        }));
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new EhrSaved([], order.Id);
    }

    /// <summary>Reports every result of an order: <paramref name="values"/> by LOINC code. Field keys: "Results[LOINC]".</summary>
    public async Task<Result<EhrSaved, EhrError>> ReportResultsAsync(string facilityId, string orderId, IReadOnlyDictionary<string, LabValueInput> values, string staff, CancellationToken ct = default)
    {
        if (await stores.ForWriteAsync(facilityId, ct) is not LaboratoryStore store)
            return Result.Fail(EhrError.NoStore, $"{facilityId} has no laboratory EHR store on this node.");
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = store.Open();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var order = await db.Orders.Include(o => o.Patient).Include(o => o.Results).SingleOrDefaultAsync(o => o.Id == orderId, ct);
        if (order is null) return Result.Fail(EhrError.OrderNotFound, $"There is no order {orderId}.");
        if (order.ReportedAt is not null) return Result.Fail(EhrError.AlreadyReported, "The results of this order were reported already.");

        var e = new FieldErrors();
        Enter(order, values, e);
        if (e.Any) return Result.Invalid(EhrError.Invalid, e.List);

        order.ReportedAt = new DateTime(clock.GetUtcNow().UtcDateTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        order.ReportedBy = staff;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new EhrSaved([LaboratoryFhir.Report(facilityId, order, store.Zone)]);
    }

    /// <summary>
    /// A reported order of this patient (the report <paramref name="recordId"/>), for a correction: its results as the
    /// form's input, and the report; null when this laboratory holds no such report of this patient.
    /// </summary>
    public async Task<EhrCorrectionSource<LabOrder>?> CorrectionSourceAsync(string facilityId, string mpi, string recordId, CancellationToken ct = default)
    {
        if (stores.Find(facilityId) is not LaboratoryStore store || !File.Exists(store.Path)) return null;
        await using var db = store.Open();
        var order = await db.Orders.AsNoTracking().Include(o => o.Patient).Include(o => o.Results).SingleOrDefaultAsync(o => o.Id == recordId && o.ReportedAt != null, ct);
        if (order is null || order.Patient.Mpi != mpi) return null;
        order.Results = [.. order.Results.OrderBy(r => r.Position)];
        return new EhrCorrectionSource<LabOrder>(order, [LaboratoryFhir.Report(facilityId, order, store.Zone)]);
    }

    /// <summary>
    /// A corrected report of a reported order: a new order with the same specimen, collection time, clinician and
    /// tests, reported with <paramref name="values"/>, in one transaction; the old order and its report stay as they
    /// were. Field keys as in <see cref="ReportResultsAsync"/>.
    /// </summary>
    public async Task<Result<EhrSaved, EhrError>> CorrectReportAsync(string facilityId, string mpi, string oldOrderId, IReadOnlyDictionary<string, LabValueInput> values, string staff, CancellationToken ct = default)
    {
        if (await stores.ForWriteAsync(facilityId, ct) is not LaboratoryStore store)
            return Result.Fail(EhrError.NoStore, $"{facilityId} has no laboratory EHR store on this node.");
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = store.Open();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var old = await db.Orders.Include(o => o.Patient).Include(o => o.Results).SingleOrDefaultAsync(o => o.Id == oldOrderId && o.ReportedAt != null, ct);
        if (old is null || old.Patient.Mpi != mpi) return Result.Fail(EhrError.OrderNotFound, $"There is no reported order {oldOrderId} of this patient.");
        var order = new LabOrder
        {
            Id = EhrIds.New("lab"),
            Patient = old.Patient,
            PatientMrn = old.PatientMrn,
            OrderingClinician = old.OrderingClinician,
            SpecimenType = old.SpecimenType,
            CollectedAt = old.CollectedAt,
            EnteredBy = staff,
        };
        order.Results.AddRange(old.Results.OrderBy(r => r.Position).Select(r => new LabResult
        {
            Id = EhrIds.New("res"), Position = r.Position, Loinc = r.Loinc, Name = r.Name, Unit = r.Unit, ReferenceLow = r.ReferenceLow, ReferenceHigh = r.ReferenceHigh,
        }));
        var e = new FieldErrors();
        Enter(order, values, e);
        if (e.Any) return Result.Invalid(EhrError.Invalid, e.List);

        order.ReportedAt = new DateTime(clock.GetUtcNow().UtcDateTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        order.ReportedBy = staff;
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new EhrSaved([LaboratoryFhir.Report(facilityId, order, store.Zone)]);
    }

    /// <summary>
    /// A report filed under the wrong patient, copied under the right one (<paramref name="toMpi"/>, whose laboratory
    /// patient is made when the laboratory has none): a new order with the same specimen, collection, clinician, tests
    /// and values, reported now by <paramref name="staff"/>. The old order stays as it was (its anchor is retracted on
    /// the ledger, not erased).
    /// </summary>
    public async Task<Result<EhrSaved, EhrError>> RefileReportAsync(string facilityId, string fromMpi, string orderId, string toMpi, string staff, CancellationToken ct = default)
    {
        if (!MpiNumber.TryParse(toMpi, out var mpiNumber, out var mpiError)) return Result.Invalid(EhrError.Invalid, "Mpi", mpiError);
        if (await stores.ForWriteAsync(facilityId, ct) is not LaboratoryStore store)
            return Result.Fail(EhrError.NoStore, $"{facilityId} has no laboratory EHR store on this node.");
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = store.Open();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var old = await db.Orders.Include(o => o.Patient).Include(o => o.Results).SingleOrDefaultAsync(o => o.Id == orderId && o.ReportedAt != null, ct);
        if (old is null || old.Patient.Mpi != fromMpi) return Result.Fail(EhrError.OrderNotFound, $"There is no reported order {orderId} of this patient.");
        var patient = await db.PatientForWriteAsync(mpiNumber, ct);
        var order = new LabOrder
        {
            Id = EhrIds.New("lab"),
            Patient = patient,
            PatientMrn = patient.Mrn,
            OrderingClinician = old.OrderingClinician,
            SpecimenType = old.SpecimenType,
            CollectedAt = old.CollectedAt,
            EnteredBy = staff,
            ReportedAt = new DateTime(clock.GetUtcNow().UtcDateTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc),
            ReportedBy = staff,
        };
        order.Results.AddRange(old.Results.OrderBy(r => r.Position).Select(r => new LabResult
        {
            Id = EhrIds.New("res"), Position = r.Position, Loinc = r.Loinc, Name = r.Name, Unit = r.Unit, ReferenceLow = r.ReferenceLow,
            ReferenceHigh = r.ReferenceHigh, Value = r.Value, Flag = r.Flag,
        }));
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new EhrSaved([LaboratoryFhir.Report(facilityId, order, store.Zone)]);
    }

    /// <summary>Checks and sets every result of <paramref name="order"/> from the values typed (by LOINC code); errors go to <paramref name="e"/>.</summary>
    private static void Enter(LabOrder order, IReadOnlyDictionary<string, LabValueInput> values, FieldErrors e)
    {
        foreach (var result in order.Results)
        {
            var field = $"Results[{result.Loinc}]";
            var test = LabCatalogue.Find(result.Loinc);
            values.TryGetValue(result.Loinc, out var input);
            var unit = input?.Unit?.Trim() ?? "";
            if (unit != result.Unit) { e.Add(field, $"{result.Name} is reported in {result.Unit}, not '{unit}'."); continue; }
            var value = test is null ? null : test.Parse(input?.Value, out var error) is { } parsed ? parsed : Fail(e, field, error);
            if (test is null) e.Add(field, $"{result.Loinc} is no longer in the catalogue.");
            if (value is null) continue;
            result.Value = value;
            result.Flag = LabTest.FlagOf(value.Value, result.ReferenceLow, result.ReferenceHigh);
        }
        foreach (var extra in values.Keys.Where(k => order.Results.All(r => r.Loinc != k)))
            e.Add($"Results[{extra}]", $"{extra} was not ordered.");
    }

    private static decimal? Fail(FieldErrors e, string field, string? error)
    {
        e.Add(field, error ?? "Not a valid value.");
        return null;
    }
}
