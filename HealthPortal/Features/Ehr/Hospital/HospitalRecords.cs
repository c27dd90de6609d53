using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Patients;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Ehr.Hospital;

/// <summary>
/// Writes a hospital admission (encounter, diagnoses, prescriptions, allergies, note) into the facility's own store in one
/// transaction and answers with the records it created. Bad input comes back as field errors and writes nothing.
/// </summary>
public sealed class HospitalRecords(EhrStores stores, TimeProvider clock)
{
    /// <param name="noteWrittenAt">When the note was written, for an admission brought in from the past (the demo's
    /// history); a note typed now, the default, is dated now.</param>
    public async Task<Result<EhrSaved, EhrError>> RecordAdmissionAsync(string facilityId, string mpi, AdmissionInput input, string staff, CancellationToken ct = default,
        DateTime? noteWrittenAt = null)
    {
        var errors = Validate(mpi, input, clock.GetUtcNow().UtcDateTime, out var valid);
        if (errors.Any) return Result.Invalid(EhrError.Invalid, errors.List);

        if (await stores.ForWriteAsync(facilityId, ct) is not HospitalStore store)
            return Result.Fail(EhrError.NoStore, $"{facilityId} has no hospital EHR store on this node.");
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = store.Open();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var patient = await db.PatientForWriteAsync(valid.Mpi, ct);
        var admission = valid.Admission;
        admission.Patient = patient;
        admission.PatientMrn = patient.Mrn;
        admission.EnteredBy = staff;
        if (valid.Note.Length > 0)
            admission.Notes.Add(new ClinicalNote { Id = EhrIds.New("note"), Author = admission.AttendingClinician, Text = valid.Note, WrittenAt = Truncate(noteWrittenAt ?? clock.GetUtcNow().UtcDateTime) });
        db.Admissions.Add(admission);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new EhrSaved(HospitalFhir.RecordsOf(facilityId, admission, store.Zone).ToList());
    }

    /// <summary>
    /// The admission that holds <paramref name="recordId"/> (its encounter, a diagnosis, prescription, allergy or the
    /// note) as the form's input, for a correction; null when this facility holds no such record of this patient.
    /// </summary>
    public async Task<EhrCorrectionSource<AdmissionInput>?> CorrectionSourceAsync(string facilityId, string mpi, string recordId, CancellationToken ct = default)
    {
        if (stores.Find(facilityId) is not HospitalStore store || !File.Exists(store.Path)) return null;
        await using var db = store.Open();
        var admission = await db.Admissions.AsNoTracking().AsSplitQuery()
            .Include(a => a.Patient).Include(a => a.Diagnoses).Include(a => a.Prescriptions).Include(a => a.Notes).Include(a => a.Allergies)
            .SingleOrDefaultAsync(a => a.Id == recordId || a.Diagnoses.Any(d => d.Id == recordId) || a.Prescriptions.Any(p => p.Id == recordId)
                || a.Notes.Any(n => n.Id == recordId) || a.Allergies.Any(x => x.Id == recordId), ct);
        if (admission is null || admission.Patient.Mpi != mpi) return null;
        var input = new AdmissionInput
        {
            Type = admission.Type,
            Ward = admission.Ward.Length > 0 ? admission.Ward : null,
            AttendingClinician = admission.AttendingClinician,
            StartedAt = DateTime.SpecifyKind(admission.StartedAt, DateTimeKind.Utc),
            EndedAt = admission.EndedAt is { } end ? DateTime.SpecifyKind(end, DateTimeKind.Utc) : null,
            Diagnoses = [.. admission.Diagnoses.OrderBy(d => d.Position).Select(d => new DiagnosisInput { Icd10 = d.Icd10, Description = d.Description })],
            Prescriptions = [.. admission.Prescriptions.OrderBy(p => p.Position).Select(p => new PrescriptionInput
            {
                Drug = p.Drug, Dose = p.Dose, Route = p.Route, Frequency = p.Frequency, DurationDays = p.DurationDays,
            })],
            Allergies = [.. admission.Allergies.OrderBy(a => a.Position).Select(a => new AllergyInput
            {
                Substance = a.Substance, Category = a.Category, Reaction = a.Reaction.Length > 0 ? a.Reaction : null, Severity = a.Severity.Length > 0 ? a.Severity : null,
            })],
            Note = admission.Notes.OrderBy(n => n.WrittenAt).FirstOrDefault()?.Text,
        };
        return new EhrCorrectionSource<AdmissionInput>(input, HospitalFhir.RecordsOf(facilityId, admission, store.Zone).ToList());
    }

    internal sealed record Valid(string Mpi, Admission Admission, string Note);

    /// <summary>The form's validation, also what a hospital system's pushed records are held to (Features/Ingest).</summary>
    internal static FieldErrors Validate(string mpi, AdmissionInput input, DateTime now, out Valid valid)
    {
        var e = new FieldErrors();
        if (!MpiNumber.TryParse(mpi, out var mpiNumber, out var mpiError)) e.Add("Mpi", mpiError);
        if (!AdmissionTypes.All.Contains(input.Type)) e.Add(nameof(input.Type), "Choose inpatient, outpatient or emergency.");
        var ward = input.Type == AdmissionTypes.Inpatient
            ? e.Required(nameof(input.Ward), input.Ward, "Ward", TextLimits.Short)
            : e.Optional(nameof(input.Ward), input.Ward, "Ward", TextLimits.Short);
        var attending = e.Required(nameof(input.AttendingClinician), input.AttendingClinician, "Attending clinician");
        var start = e.Require(nameof(input.StartedAt), input.StartedAt, "Start");
        if (start > now.AddDays(1)) e.Add(nameof(input.StartedAt), "Start cannot be in the future.");
        if (input.EndedAt is { } end && start is { } s && end < s) e.Add(nameof(input.EndedAt), "End cannot be before start.");

        var admission = new Admission
        {
            Id = EhrIds.New("adm"),
            Type = input.Type,
            Ward = ward,
            AttendingClinician = attending,
            StartedAt = Truncate(start ?? default),
            EndedAt = input.EndedAt is { } ended ? Truncate(ended) : null,
        };
        for (var i = 0; i < input.Diagnoses.Count; i++)
        {
            var d = input.Diagnoses[i];
            var field = $"Diagnoses[{i}].";
            var code = Icd10.Normalize(d.Icd10);
            if (string.IsNullOrWhiteSpace(d.Icd10)) e.Add(field + "Icd10", "ICD-10 code is required.");
            else if (code is null) e.Add(field + "Icd10", "Not an ICD-10 code (a letter, two digits, then optionally a dot and up to 4 characters, e.g. J18.9).");
            var description = e.Required(field + "Description", d.Description, "Description");
            admission.Diagnoses.Add(new Diagnosis { Id = EhrIds.New("dx"), Position = i, Icd10 = code ?? "", Description = description });
        }
        for (var i = 0; i < input.Prescriptions.Count; i++)
        {
            var p = input.Prescriptions[i];
            var field = $"Prescriptions[{i}].";
            var drug = e.Required(field + "Drug", p.Drug, "Drug");
            var dose = e.Required(field + "Dose", p.Dose, "Dose", 50);
            var route = p.Route?.Trim() ?? "";
            if (!PrescriptionInput.Routes.Contains(route)) e.Add(field + "Route", "Choose a route.");
            var frequency = e.Required(field + "Frequency", p.Frequency, "Frequency", 100);
            var days = e.Require(field + "DurationDays", p.DurationDays, "Duration");
            if (days is < 1 or > 365) e.Add(field + "DurationDays", "Duration is 1 to 365 days.");
            admission.Prescriptions.Add(new Prescription { Id = EhrIds.New("rx"), Position = i, Drug = drug, Dose = dose, Route = route, Frequency = frequency, DurationDays = days ?? 0 });
        }
        foreach (var (allergy, i) in Allergies.Validate(e, input.Allergies).Select((x, i) => (x, i)))
            admission.Allergies.Add(new HospitalAllergy
            {
                Id = EhrIds.New("alg"), Position = i, Substance = allergy.Substance, Category = allergy.Category, Reaction = allergy.Reaction, Severity = allergy.Severity,
            });
        var note = e.Optional(nameof(input.Note), input.Note, "Note", TextLimits.ClinicalNote, multiline: true);
        valid = new Valid(mpiNumber, admission, note);
        return e;
    }

    internal static DateTime Truncate(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc);
}
