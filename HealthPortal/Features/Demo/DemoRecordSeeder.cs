using HealthPortal.Features.Outcomes;
using HealthPortal.Data;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Demo;

/// <summary>
/// Gives each demo patient a few records in each demo facility's own store (Riverside: an admission with
/// diagnoses, prescriptions, a note and for one patient an allergy; Lakeview: a visit with vitals; Northgate: two reported lab orders months apart) and anchors
/// every one of them on the ledger, signed by the facility node and the patient's demo enrolment key, as the
/// anchoring workflow would. Runs after <see cref="DemoLedgerSeeder"/>. Idempotent: a store that already holds
/// records for the patient gets no new ones, and only records not yet on the ledger are anchored (so a start after a
/// failed anchor retries it).
/// </summary>
public sealed class DemoRecordSeeder(
    IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, EhrStores stores,
    HospitalRecords hospital, ClinicRecords clinic, LaboratoryRecords laboratory, TimeProvider clock, ILogger<DemoRecordSeeder> logger,
    Microsoft.Extensions.Options.IOptions<DemoOptions>? demoOptions = null)
{
    private const string Staff = "demo seeding";
    private readonly TransactionFactory _tx = new(clock);
    private readonly DemoOptions _demo = demoOptions?.Value ?? new DemoOptions();

    /// <summary>
    /// Seeds and anchors; returns how many records stay unanchored because the network was busy (a consortium without a leader yet).
    /// A consortium node writes only its own store, for the patients who signed up there (their demo keys are on this
    /// node alone, and an anchor needs the patient's signature).
    /// </summary>
    public async Task<int> SeedAsync(CancellationToken ct = default)
    {
        var unanchored = 0;
        var facilities = _demo.Facility is { Length: > 0 } own ? DemoData.ConsortiumFacilities.Where(f => f.Id == own).ToList() : DemoData.Facilities;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var engine = ledger.Engine;
        var written = 0;
        var anchored = 0;
        for (var p = 0; p < DemoData.Patients.Count; p++)
        {
            var demo = DemoData.Patients[p];
            if (!DemoData.PatientsOf(_demo).Contains(demo)) continue;
            var userId = await db.Users.Where(u => u.Email == demo.Email).Select(u => u.Id).SingleAsync(ct);
            var mpi = await db.PatientProfiles.Where(x => x.UserId == userId).Select(x => x.MpiNumber).SingleAsync(ct);
            var patientKey = ledger.Keys.Find(DemoData.DemoPatientKeyName(userId));
            if (mpi is null || patientKey is null || engine.Reader.Patient(mpi) is null) continue;

            foreach (var demoFacility in facilities)
            {
                var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == demoFacility.Id, ct);
                if (facility.NodeKeyId is null || stores.Find(facility.Id) is not { } store) continue;
                var records = await store.RecordsOfAsync(mpi, ct);
                if (records.Count == 0)
                {
                    var saved = await WriteAsync(facility, mpi, p, ct);
                    if (!saved.IsOk)
                        throw new InvalidOperationException($"demo seeding: {facility.Name} refused the demo records: {saved}");
                    records = saved.Value!.Records;
                    written += records.Count;
                }
                var facilityKey = ledger.Keys.Get(ServerKeyVault.FacilityNode(facility.Id));
                foreach (var record in records)
                {
                    if (engine.Reader.Record(facility.NodeKeyId, record.RecordId) is not null) continue;
                    var anchor = _tx.RecordAnchor(mpi, facility.NodeKeyId, record.RecordId, record.Kind, record.DateText, record.Hash, RecordLink.Of(record))
                        .SignWith(facilityKey).SignWith(patientKey);
                    var result = await engine.SubmitAsync(anchor, ct);
                    if (result.IsCommitted) anchored++;
                    // A demo patient may have revoked the enrolment key from their devices page: then it cannot co-sign.
                    else
                    {
                        // Only "network busy" is worth another try (a consortium still electing its first leader).
                        if (result.Error == HealthPortal.Ledger.LedgerError.Busy) unanchored++;
                        logger.LogWarning("Demo record {Record} of {Facility} not anchored: {Result}", record.RecordId, facility.Name, result);
                    }
                }
            }
        }
        foreach (var twice in DemoData.RegisteredTwiceOf(_demo))
        {
            var (w, a, busy) = await SeedRegisteredTwiceAsync(db, twice, ct);
            written += w;
            anchored += a;
            unanchored += busy;
        }
        if (written + anchored > 0) logger.LogInformation("Demo records: {Written} written to the facilities' stores, {Anchored} anchored", written, anchored);
        return unanchored;
    }

    /// <summary>
    /// The second registration's one record: a blood count at Northgate under her second number, anchored with that
    /// number's demo key, so a merge visibly brings a record from the other number onto her timeline.
    /// </summary>
    private async Task<(int Written, int Anchored, int Busy)> SeedRegisteredTwiceAsync(ApplicationDbContext db, DemoData.Patient demo, CancellationToken ct)
    {
        var userId = await db.Users.Where(u => u.Email == demo.Email).Select(u => u.Id).SingleOrDefaultAsync(ct);
        if (userId is null) return (0, 0, 0);
        var mpi = await db.PatientProfiles.Where(x => x.UserId == userId).Select(x => x.MpiNumber).SingleOrDefaultAsync(ct);
        var patientKey = ledger.Keys.Find(DemoData.DemoPatientKeyName(userId));
        var engine = ledger.Engine;
        // Registered on the network (not yet merged: an anchor under a retired number is refused, and it is then not needed).
        if (mpi is null || patientKey is null || engine.Reader.Patient(mpi) is null || engine.Reader.StandingMerge(mpi) is not null) return (0, 0, 0);
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == demo.HomeFacilityId, ct);
        if (facility?.NodeKeyId is null || stores.Find(facility.Id) is not { } store) return (0, 0, 0);
        var written = 0;
        var records = await store.RecordsOfAsync(mpi, ct);
        if (records.Count == 0)
        {
            var saved = await LabReportAsync(facility.Id, mpi, 0, new DateTime(2024, 9, 3, 8, 10, 0, DateTimeKind.Utc),
                new Dictionary<string, string> { ["718-7"] = "10.9" }, ct);
            if (!saved.IsOk) throw new InvalidOperationException($"demo seeding: {facility.Name} refused the second registration's report: {saved}");
            records = saved.Value!.Records;
            written = records.Count;
        }
        var facilityKey = ledger.Keys.Get(ServerKeyVault.FacilityNode(facility.Id));
        int anchored = 0, busy = 0;
        foreach (var record in records.Where(r => engine.Reader.Record(facility.NodeKeyId, r.RecordId) is null))
        {
            var anchor = _tx.RecordAnchor(mpi, facility.NodeKeyId, record.RecordId, record.Kind, record.DateText, record.Hash, RecordLink.Of(record))
                .SignWith(facilityKey).SignWith(patientKey);
            var result = await engine.SubmitAsync(anchor, ct);
            if (result.IsCommitted) anchored++;
            else
            {
                if (result.Error == HealthPortal.Ledger.LedgerError.Busy) busy++;
                logger.LogWarning("Demo record {Record} of {Facility} not anchored: {Result}", record.RecordId, facility.Name, result);
            }
        }
        return (written, anchored, busy);
    }

    private Task<Result<EhrSaved, EhrError>> WriteAsync(HealthFacility facility, string mpi, int patient, CancellationToken ct) => facility.Kind switch
    {
        // The note was written during the admission it belongs to, not on the day the demo was seeded.
        FacilityKind.Hospital => patient == 0
            ? hospital.RecordAdmissionAsync(facility.Id, mpi, AsthmaAttendance(), Staff, ct, AsthmaAttendance().StartedAt)
            : hospital.RecordAdmissionAsync(facility.Id, mpi, HypertensionAdmission(), Staff, ct, HypertensionAdmission().StartedAt),
        FacilityKind.Clinic => clinic.RecordVisitAsync(facility.Id, mpi, patient == 0 ? SoreThroatVisit() : BloodPressureVisit(), Staff, ct),
        FacilityKind.Laboratory => LabAsync(facility.Id, mpi, patient, ct),
        _ => Task.FromResult<Result<EhrSaved, EhrError>>(Result.Fail(EhrError.NoStore, "no EHR format")),
    };

    /// <summary>
    /// Two reports per patient, months apart, so the health summary has a trend to show: Aye's hemoglobin recovering
    /// from mild anaemia, Min's HbA1c and glucose coming down after metformin was started.
    /// </summary>
    private async Task<Result<EhrSaved, EhrError>> LabAsync(string facilityId, string mpi, int patient, CancellationToken ct)
    {
        var earlier = patient == 0
            ? await LabReportAsync(facilityId, mpi, patient, new DateTime(2025, 8, 20, 8, 30, 0, DateTimeKind.Utc),
                new Dictionary<string, string> { ["718-7"] = "10.6", ["6690-2"] = "6.8" }, ct)
            : await LabReportAsync(facilityId, mpi, patient, new DateTime(2025, 5, 12, 7, 50, 0, DateTimeKind.Utc),
                new Dictionary<string, string> { ["4548-4"] = "7.9", ["2345-7"] = "162" }, ct);
        if (!earlier.IsOk) return earlier;
        var later = patient == 0
            ? await LabReportAsync(facilityId, mpi, patient, new DateTime(2026, 2, 11, 9, 15, 0, DateTimeKind.Utc),
                new Dictionary<string, string> { ["718-7"] = "11.4", ["6690-2"] = "7.2" }, ct)
            : await LabReportAsync(facilityId, mpi, patient, new DateTime(2025, 11, 4, 7, 40, 0, DateTimeKind.Utc),
                new Dictionary<string, string> { ["4548-4"] = "7.2", ["2345-7"] = "148", ["2093-3"] = "221", ["2160-0"] = "1.10" }, ct);
        if (!later.IsOk) return later;
        return new EhrSaved([.. earlier.Value!.Records, .. later.Value!.Records]);
    }

    private async Task<Result<EhrSaved, EhrError>> LabReportAsync(string facilityId, string mpi, int patient, DateTime collectedAt, Dictionary<string, string> values, CancellationToken ct)
    {
        var order = await laboratory.CreateOrderAsync(facilityId, mpi, new LabOrderInput
        {
            OrderingClinician = patient == 0 ? "Dr. Hnin Wai Lwin" : "Dr. Kyaw Zin Oo",
            SpecimenType = patient == 0 ? "whole blood" : "serum",
            CollectedAt = collectedAt,
            Tests = [.. values.Keys],
        }, Staff, ct);
        if (!order.IsOk) return order;
        return await laboratory.ReportResultsAsync(facilityId, order.Value!.CreatedId!,
            values.ToDictionary(v => v.Key, v => new LabValueInput { Value = v.Value, Unit = LabCatalogue.Find(v.Key)!.Unit }), Staff, ct);
    }

    private static AdmissionInput AsthmaAttendance() => new()
    {
        Type = AdmissionTypes.Emergency,
        Ward = "Emergency department",
        AttendingClinician = "Dr. Kyaw Zin Oo",
        StartedAt = new DateTime(2026, 1, 14, 22, 5, 0, DateTimeKind.Utc),
        EndedAt = new DateTime(2026, 1, 15, 3, 30, 0, DateTimeKind.Utc),
        Diagnoses = [new() { Icd10 = "J45.9", Description = "Asthma, unspecified" }],
        Prescriptions = [new() { Drug = "Salbutamol inhaler 100 micrograms/dose", Dose = "2 puffs", Route = "inhaled", Frequency = "as needed, up to 4 times daily", DurationDays = 30 }],
        Allergies = [new() { Substance = "Penicillin", Category = AllergyCategories.Medication, Reaction = "Widespread itchy rash", Severity = "moderate" }],
        Note = "Acute wheeze after a cold. Nebulised salbutamol given; peak flow improved. Discharged with inhaler and asthma plan.",
    };

    private static AdmissionInput HypertensionAdmission() => new()
    {
        Type = AdmissionTypes.Inpatient,
        Ward = "Ward 5 (medical)",
        AttendingClinician = "Dr. Kyaw Zin Oo",
        StartedAt = new DateTime(2025, 11, 3, 10, 0, 0, DateTimeKind.Utc),
        EndedAt = new DateTime(2025, 11, 6, 11, 0, 0, DateTimeKind.Utc),
        Diagnoses =
        [
            new() { Icd10 = "I10", Description = "Essential (primary) hypertension" },
            new() { Icd10 = "E11.9", Description = "Type 2 diabetes mellitus without complications" },
        ],
        Prescriptions =
        [
            new() { Drug = "Amlodipine", Dose = "5 mg", Route = "oral", Frequency = "once daily", DurationDays = 30 },
            new() { Drug = "Metformin", Dose = "500 mg", Route = "oral", Frequency = "twice daily", DurationDays = 30 },
        ],
        Note = "Admitted with severe headache and BP 190/110. Controlled on amlodipine. New diagnosis of type 2 diabetes; metformin started.",
    };

    private static VisitInput SoreThroatVisit() => new()
    {
        SeenAt = new DateTime(2026, 2, 10, 4, 20, 0, DateTimeKind.Utc),
        Clinician = "Dr. Hnin Wai Lwin",
        ChiefComplaint = "Sore throat and fever for two days",
        Findings = "Inflamed tonsils without exudate; no lymphadenopathy.",
        Treatment = "Paracetamol 500 mg as needed; fluids; rest.",
        FollowUpOn = new DateOnly(2026, 2, 17),
        Systolic = 112,
        Diastolic = 72,
        Pulse = 88,
        TemperatureC = 38.1m,
    };

    private static VisitInput BloodPressureVisit() => new()
    {
        SeenAt = new DateTime(2025, 12, 1, 3, 0, 0, DateTimeKind.Utc),
        Clinician = "Dr. Hnin Wai Lwin",
        ChiefComplaint = "Blood pressure check after hospital discharge",
        Findings = "BP improving on amlodipine; no side effects reported.",
        Treatment = "Continue amlodipine 5 mg daily; low-salt diet.",
        FollowUpOn = new DateOnly(2026, 1, 5),
        Systolic = 142,
        Diastolic = 90,
        Pulse = 78,
        WeightKg = 82.5m,
    };
}
