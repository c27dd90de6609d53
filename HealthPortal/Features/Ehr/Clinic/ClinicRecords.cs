using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Patients;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Clinic;

/// <summary>
/// Writes a clinic visit with its vitals into the facility's own store in one transaction; answers with the visit's
/// records (encounter bundle, note, one per allergy). Vital signs outside what a living patient can show are refused, so a
/// slipped digit is caught at the desk rather than anchored forever.
/// </summary>
public sealed class ClinicRecords(EhrStores stores, TimeProvider clock)
{
    public async Task<Result<EhrSaved, EhrError>> RecordVisitAsync(string facilityId, string mpi, VisitInput input, string staff, CancellationToken ct = default)
    {
        var e = Validate(mpi, input, clock.GetUtcNow().UtcDateTime, out var valid);
        var (mpiNumber, seenAt, clinician, complaint, findings, treatment, allergies) = valid;
        if (e.Any) return Result.Invalid(EhrError.Invalid, e.List);

        if (await stores.ForWriteAsync(facilityId, ct) is not ClinicStore store)
            return Result.Fail(EhrError.NoStore, $"{facilityId} has no clinic EHR store on this node.");
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = store.Open();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var patient = await db.PatientForWriteAsync(mpiNumber, ct);
        var visit = new Visit
        {
            Id = EhrIds.New("visit"),
            NoteId = EhrIds.New("note"),
            Patient = patient,
            PatientMrn = patient.Mrn,
            SeenAt = HospitalRecords.Truncate(seenAt!.Value),
            Clinician = clinician,
            ChiefComplaint = complaint,
            Findings = findings,
            Treatment = treatment,
            FollowUpOn = input.FollowUpOn,
            EnteredBy = staff,
        };
        if (input.Systolic is not null || input.Pulse is not null || input.TemperatureC is not null || input.WeightKg is not null)
            visit.Vitals = new Vitals
            {
                Systolic = input.Systolic,
                Diastolic = input.Diastolic,
                Pulse = input.Pulse,
                TemperatureC = input.TemperatureC,
                WeightKg = input.WeightKg,
            };
        for (var i = 0; i < allergies.Count; i++)
            visit.Allergies.Add(new ClinicAllergy
            {
                Id = EhrIds.New("alg"), Position = i, Substance = allergies[i].Substance, Category = allergies[i].Category,
                Reaction = allergies[i].Reaction, Severity = allergies[i].Severity,
            });
        db.Visits.Add(visit);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new EhrSaved(ClinicFhir.RecordsOf(facilityId, visit, store.Zone).ToList());
    }

    /// <summary>The visit's fields after the form's validation (<see cref="Validate"/>).</summary>
    internal sealed record ValidVisit(string Mpi, DateTime? SeenAt, string Clinician, string Complaint, string Findings, string Treatment, List<Ehr.Allergies.Valid> Allergies);

    /// <summary>
    /// The visit form's checks (also applied to a visit a clinic system posts, <c>Features/Ingest</c>), errors under the
    /// form's field names; <paramref name="valid"/> holds the trimmed fields.
    /// </summary>
    internal static FieldErrors Validate(string mpi, VisitInput input, DateTime now, out ValidVisit valid)
    {
        var e = new FieldErrors();
        if (!MpiNumber.TryParse(mpi, out var mpiNumber, out var mpiError)) e.Add("Mpi", mpiError);
        var seenAt = e.Require(nameof(input.SeenAt), input.SeenAt, "Seen at");
        if (seenAt > now.AddDays(1)) e.Add(nameof(input.SeenAt), "Seen at cannot be in the future.");
        var clinician = e.Required(nameof(input.Clinician), input.Clinician, "Clinician");
        var complaint = e.Required(nameof(input.ChiefComplaint), input.ChiefComplaint, "Chief complaint", TextLimits.Sentence, multiline: true);
        var findings = e.Required(nameof(input.Findings), input.Findings, "Findings", TextLimits.Paragraphs, multiline: true);
        var treatment = e.Optional(nameof(input.Treatment), input.Treatment, "Treatment", TextLimits.Paragraphs, multiline: true);
        if (input.FollowUpOn is { } followUp && seenAt is { } seen && followUp < DateOnly.FromDateTime(seen))
            e.Add(nameof(input.FollowUpOn), "Follow-up cannot be before the visit.");
        Range(e, nameof(input.Systolic), input.Systolic, 50, 260, "Systolic BP", "mmHg");
        Range(e, nameof(input.Diastolic), input.Diastolic, 20, 160, "Diastolic BP", "mmHg");
        if (input.Systolic is null != input.Diastolic is null)
            e.Add(input.Systolic is null ? nameof(input.Systolic) : nameof(input.Diastolic), "Enter both systolic and diastolic pressure.");
        else if (input.Systolic <= input.Diastolic) e.Add(nameof(input.Diastolic), "Diastolic must be below systolic.");
        Range(e, nameof(input.Pulse), input.Pulse, 20, 250, "Pulse", "/min");
        Range(e, nameof(input.TemperatureC), input.TemperatureC, 30m, 45m, "Temperature", "°C", decimals: 1);
        Range(e, nameof(input.WeightKg), input.WeightKg, 0.3m, 400m, "Weight", "kg", decimals: 1);
        var allergies = Allergies.Validate(e, input.Allergies);
        valid = new ValidVisit(mpiNumber, seenAt, clinician, complaint, findings, treatment, allergies);
        return e;
    }

    /// <summary>
    /// The visit that holds <paramref name="recordId"/> (its encounter, note or an allergy) as the form's input, for a
    /// correction; null when this facility holds no such record of this patient.
    /// </summary>
    public async Task<EhrCorrectionSource<VisitInput>?> CorrectionSourceAsync(string facilityId, string mpi, string recordId, CancellationToken ct = default)
    {
        if (stores.Find(facilityId) is not ClinicStore store || !File.Exists(store.Path)) return null;
        await using var db = store.Open();
        var visits = db.Visits.AsNoTracking().Include(v => v.Patient).Include(v => v.Vitals).Include(v => v.Allergies);
        var visit = await visits.SingleOrDefaultAsync(v => v.Id == recordId || v.NoteId == recordId || v.Allergies.Any(a => a.Id == recordId), ct);
        if (visit is null || visit.Patient.Mpi != mpi) return null;
        var input = new VisitInput
        {
            SeenAt = DateTime.SpecifyKind(visit.SeenAt, DateTimeKind.Utc),
            Clinician = visit.Clinician,
            ChiefComplaint = visit.ChiefComplaint,
            Findings = visit.Findings,
            Treatment = visit.Treatment.Length > 0 ? visit.Treatment : null,
            FollowUpOn = visit.FollowUpOn,
            Systolic = visit.Vitals?.Systolic,
            Diastolic = visit.Vitals?.Diastolic,
            Pulse = visit.Vitals?.Pulse,
            TemperatureC = visit.Vitals?.TemperatureC,
            WeightKg = visit.Vitals?.WeightKg,
            Allergies = [.. visit.Allergies.OrderBy(a => a.Position).Select(a => new AllergyInput
            {
                Substance = a.Substance, Category = a.Category, Reaction = a.Reaction.Length > 0 ? a.Reaction : null, Severity = a.Severity.Length > 0 ? a.Severity : null,
            })],
        };
        return new EhrCorrectionSource<VisitInput>(input, ClinicFhir.RecordsOf(facilityId, visit, store.Zone).ToList());
    }

    private static void Range(FieldErrors e, string field, decimal? value, decimal min, decimal max, string label, string unit, int decimals = 0)
    {
        if (value is not { } v) return;
        if (v < min || v > max) e.Add(field, $"{label} must be between {min} and {max} {unit}.");
        else if (decimal.Round(v, decimals) != v) e.Add(field, decimals == 0 ? $"{label} is a whole number." : $"{label} has at most {decimals} decimal place.");
    }
}
