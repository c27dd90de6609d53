using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Ehr;

/// <summary>
/// Re-filing: a record written under the wrong patient is copied, in the facility's own format, under the right one.
/// The copy is what the facility's form would have saved for that patient (an admission, a visit, a reported
/// order, with everything they hold), so it gets new record ids and goes through the patient's confirmation like any
/// save. The original stays in the store unchanged; the ledger retracts its anchor.
/// </summary>
public sealed class EhrRefile(EhrStores stores, HospitalRecords hospital, ClinicRecords clinic, LaboratoryRecords laboratory)
{
    public async Task<Result<EhrSaved, EhrError>> CopyAsync(string facilityId, string fromMpi, string recordId, string toMpi, string staff, CancellationToken ct = default)
    {
        switch (stores.Find(facilityId)?.Kind)
        {
            case FacilityKind.Hospital:
                return await hospital.CorrectionSourceAsync(facilityId, fromMpi, recordId, ct) is { } admission
                    ? await hospital.RecordAdmissionAsync(facilityId, toMpi, admission.Input, staff, ct)
                    : Result.Fail(EhrError.OrderNotFound, $"This hospital holds no record {recordId} of patient {fromMpi}.");
            case FacilityKind.Clinic:
                return await clinic.CorrectionSourceAsync(facilityId, fromMpi, recordId, ct) is { } visit
                    ? await clinic.RecordVisitAsync(facilityId, toMpi, visit.Input, staff, ct)
                    : Result.Fail(EhrError.OrderNotFound, $"This clinic holds no record {recordId} of patient {fromMpi}.");
            case FacilityKind.Laboratory:
                return await laboratory.RefileReportAsync(facilityId, fromMpi, recordId, toMpi, staff, ct);
            default:
                return Result.Fail(EhrError.NoStore, $"{facilityId} has no EHR store on this node.");
        }
    }
}
