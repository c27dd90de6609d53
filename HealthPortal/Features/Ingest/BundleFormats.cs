using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Reading;
using Microsoft.EntityFrameworkCore;
using AdmissionRow = HealthPortal.Features.Ehr.Hospital.Admission;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Features.Ingest;

/// <summary>Why one entry was refused: its HTTP status in the response Bundle, the FHIR issue type and a sentence.</summary>
internal sealed record Refusal(int Status, OperationOutcome.IssueType Code, string Message);

/// <summary>One entry of a posted Bundle on its way: its position, idempotency key, the row to store or why not.</summary>
internal sealed class BundleEntry(int index)
{
    public int Index { get; } = index;
    public string? FullUrl { get; set; }
    public string RecordId { get; set; } = "";
    public Resource? Resource { get; set; }
    /// <summary>The patient's MPI number, once mapped.</summary>
    public string Mpi { get; set; } = "";
    /// <summary>The row of the facility's format that holds this record (a lab order, an admission, a diagnosis…).</summary>
    public object? Row { get; set; }
    /// <summary>Where the record is read (<c>DiagnosticReport/lab-…</c>): the resource type the store serves it as.</summary>
    public string Location { get; set; } = "";
    public Refusal? Refused { get; set; }
    /// <summary>Stored by an earlier post of the same entry: answered as it was, nothing written.</summary>
    public bool Existing { get; set; }
}

/// <summary>
/// What one record format does with a posted Bundle: which resources it takes, how each maps to its rows (refusing
/// what the format cannot hold), which of them the store holds already, and how the rows are added, turned back into
/// the records the patient co-signs, and taken out again when their confirmation could not be prepared.
/// <see cref="BundleIngest"/> runs the rest (the store transaction, the confirmations, the answer) the same for every format.
/// </summary>
internal abstract class BundleFormat(LedgerReader reader, FacilityApiClient client)
{
    protected FacilityApiClient Client { get; } = client;

    /// <summary>The Encounter entry (a hospital's admission, a clinic's visit) each part belongs to; empty for the laboratory.</summary>
    protected Dictionary<BundleEntry, BundleEntry> ParentOf { get; } = [];

    public abstract DbContext Open();

    /// <summary>The record id prefix of a resource this format takes (its table), or null when it takes no such resource.</summary>
    public abstract string? PrefixOf(Resource resource);

    /// <summary>The refusal's sentence for a resource type the format does not take.</summary>
    public abstract string Takes(string resourceType);

    /// <summary>Maps every entry not refused yet: sets its <see cref="BundleEntry.Row"/> and MPI, or its refusal.</summary>
    public abstract void Map(IReadOnlyList<BundleEntry> entries, DateTime now);

    /// <summary>The ids among <paramref name="ids"/> that the store holds already, with their patient's MPI number.</summary>
    public abstract Task<Dictionary<string, string>> StoredAsync(IReadOnlyList<string> ids, CancellationToken ct);

    /// <summary>After the store was asked what it holds: refusals that follow from another entry's (a part without its whole).</summary>
    public virtual void AfterExisting(IReadOnlyList<BundleEntry> entries) { }

    /// <summary>Adds the rows of <paramref name="fresh"/> (and their patients, with the format's MRNs) to the open context.</summary>
    public abstract Task AddAsync(IReadOnlyList<BundleEntry> fresh, CancellationToken ct);

    /// <summary>
    /// The record an added entry became, as the store will serve it (so its hash is the one anchored); null for an entry
    /// that is part of another entry's record (a clinic visit's vital sign).
    /// </summary>
    public abstract EhrRecord? RecordOf(BundleEntry entry);

    /// <summary>Takes the rows of <paramref name="entries"/> out of the context again (their confirmation was refused).</summary>
    public abstract void Remove(IReadOnlyList<BundleEntry> entries);

    /// <summary>The MPI number named by a subject, checked (Damm digit) and registered on the ledger; else the refusal.</summary>
    protected (string? Mpi, Refusal? Refusal) PatientOf(ResourceReference? subject)
    {
        string? raw = null;
        if (subject?.Identifier is { System: EhrFhir.MpiSystem, Value: { } value }) raw = value;
        else if (subject?.Reference is { } r && r.StartsWith("Patient/", StringComparison.Ordinal)) raw = r["Patient/".Length..];
        if (raw is null)
            return (null, new(422, OperationOutcome.IssueType.Required, $"The subject must be the patient's MPI number (identifier system {EhrFhir.MpiSystem}, or reference \"Patient/<MPI>\")."));
        if (!MpiNumber.TryParse(raw, out var mpi, out var error)) return (null, new(422, OperationOutcome.IssueType.Value, $"MPI number '{raw}': {error}"));
        if (!reader.IsRegistered(mpi)) return (null, new(422, OperationOutcome.IssueType.NotFound, $"MPI number {mpi} is not registered on the network."));
        return (mpi, null);
    }

    protected static string Trim(string text, int max) => text.Length > max ? text[..max] : text;

    /// <summary>
    /// Ties a part (a diagnosis, note, vital sign or allergy) to the Encounter entry of this Bundle it names, as the
    /// hospital and clinic formats both keep parts under their encounter, and checks that both are about one patient.
    /// False with the entry's refusal when the part names no Encounter of the Bundle, its Encounter was refused, or the
    /// patients differ. The tie is kept even then, so that a part is refused with its Encounter and not as an orphan.
    /// </summary>
    protected bool TryAttach<TInput>(BundleEntry entry, string? reference, ResourceReference? subject,
        IReadOnlyDictionary<string, (BundleEntry Entry, TInput Input)> encounters, string keptUnder, out (BundleEntry Entry, TInput Input) parent)
    {
        if (reference is null || !encounters.TryGetValue(reference, out parent))
        {
            parent = default;
            entry.Refused = new(422, OperationOutcome.IssueType.Required,
                $"{keptUnder.Replace("{type}", entry.Resource!.TypeName)}: point its {(entry.Resource is DocumentReference ? "context.encounter" : "encounter")} at an Encounter entry of this Bundle (its fullUrl).");
            return false;
        }
        ParentOf[entry] = parent.Entry;
        if (parent.Entry.Refused is not null)
        {
            entry.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its Encounter (Bundle.entry[{parent.Entry.Index}]) was refused.");
            return false;
        }
        var (mpi, refused) = PatientOf(subject);
        if (refused is not null)
        {
            entry.Refused = refused;
            return false;
        }
        if (mpi != parent.Entry.Mpi)
        {
            entry.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its patient ({mpi}) is not its Encounter's ({parent.Entry.Mpi}).");
            return false;
        }
        entry.Mpi = mpi!;
        return true;
    }
}

/// <summary>Lab results as the laboratory format stores them: one reported order per Observation or DiagnosticReport.</summary>
internal sealed class LabBundleFormat(LaboratoryStore store, LedgerReader reader, FacilityApiClient client) : BundleFormat(reader, client)
{
    private const string DefaultSpecimen = "serum";
    private LaboratoryStoreContext _db = null!;

    public override DbContext Open() => _db = store.Open();

    public override string? PrefixOf(Resource resource) => resource is Observation or DiagnosticReport ? "lab" : null;

    public override string Takes(string resourceType) => $"A laboratory takes Observation and DiagnosticReport entries, not {resourceType}.";

    public override void Map(IReadOnlyList<BundleEntry> entries, DateTime now)
    {
        foreach (var entry in entries.Where(e => e.Refused is null))
        {
            var (order, refusal) = MapLab(entry.Resource!, entry.RecordId, now);
            if (refusal is not null) entry.Refused = refusal;
            else (entry.Row, entry.Mpi, entry.Location) = (order, order!.Patient.Mpi, "DiagnosticReport/" + entry.RecordId);
        }
    }

    public override async Task<Dictionary<string, string>> StoredAsync(IReadOnlyList<string> ids, CancellationToken ct) =>
        (await _db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Patient.Mpi }).ToListAsync(ct)).ToDictionary(o => o.Id, o => o.Mpi);

    public override async Task AddAsync(IReadOnlyList<BundleEntry> fresh, CancellationToken ct)
    {
        var patients = await _db.PatientsForWriteAsync(fresh.Select(e => e.Mpi).ToList(), ct);
        foreach (var entry in fresh)
        {
            var order = (LabOrder)entry.Row!;
            var patient = patients[entry.Mpi];
            order.Patient = patient;
            order.PatientMrn = patient.Mrn;
            _db.Orders.Add(order);
        }
    }

    public override EhrRecord RecordOf(BundleEntry entry) => LaboratoryFhir.Report(Client.FacilityId, (LabOrder)entry.Row!, store.Zone);

    public override void Remove(IReadOnlyList<BundleEntry> entries)
    {
        foreach (var entry in entries) _db.Orders.Remove((LabOrder)entry.Row!);
    }

    /// <summary>A lab result as the laboratory format stores it: one order, reported, with one result per Observation.</summary>
    private (LabOrder? Order, Refusal? Refusal) MapLab(Resource resource, string recordId, DateTime now)
    {
        List<Observation> observations;
        ResourceReference? subject;
        DataType? effective;
        string? clinician;
        switch (resource)
        {
            case Observation single:
                observations = [single];
                (subject, effective, clinician) = (single.Subject, single.Effective, single.Performer.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.Display))?.Display);
                break;
            case DiagnosticReport report:
                var contained = report.Contained.OfType<Observation>().ToDictionary(o => "#" + o.Id);
                observations = [];
                foreach (var reference in report.Result)
                {
                    if (reference.Reference is not { } r || !contained.TryGetValue(r, out var o))
                        return (null, new(422, OperationOutcome.IssueType.NotSupported, "Each DiagnosticReport.result must point to an Observation contained in the report (\"#id\")."));
                    observations.Add(o);
                }
                if (observations.Count == 0) return (null, new(422, OperationOutcome.IssueType.Required, "The DiagnosticReport has no results."));
                (subject, effective, clinician) = (report.Subject, report.Effective, report.Performer.FirstOrDefault(p => !string.IsNullOrWhiteSpace(p.Display))?.Display);
                break;
            default:
                return (null, new(422, OperationOutcome.IssueType.NotSupported, Takes(resource.TypeName)));
        }

        var (mpi, refused) = PatientOf(subject);
        if (refused is not null) return (null, refused);
        if (effective is not FhirDateTime when || !when.TryToDateTimeOffset(out var collectedAt))
            return (null, new(422, OperationOutcome.IssueType.Required, "effectiveDateTime (when the specimen was collected) is required."));
        var collected = HospitalRecords.Truncate(collectedAt.UtcDateTime);
        if (collected > now.AddHours(1)) return (null, new(422, OperationOutcome.IssueType.Value, "The collection time is in the future."));
        var specimen = observations[0].Specimen?.Display?.Trim().ToLowerInvariant() ?? DefaultSpecimen;
        if (!LabCatalogue.SpecimenTypes.Contains(specimen))
            return (null, new(422, OperationOutcome.IssueType.CodeInvalid, $"Specimen '{specimen}' is not one of {string.Join(", ", LabCatalogue.SpecimenTypes)}."));

        var order = new LabOrder
        {
            Id = recordId,
            Patient = new LabPatient { Mpi = mpi! },
            OrderingClinician = Trim(clinician ?? Client.Name, 200),
            SpecimenType = specimen,
            CollectedAt = collected,
            ReportedAt = new DateTime(now.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc),
            EnteredBy = Anchoring.AnchorWorkflow.SystemPrefix + Client.Id,
            ReportedBy = Anchoring.AnchorWorkflow.SystemPrefix + Client.Id,
        };
        foreach (var (observation, position) in observations.Select((o, i) => (o, i)))
        {
            var loinc = observation.Code?.Coding.FirstOrDefault(c => c.System == EhrFhir.LoincSystem)?.Code;
            if (LabCatalogue.Find(loinc) is not { } test)
                return (null, new(422, OperationOutcome.IssueType.CodeInvalid,
                    loinc is null ? "The result has no LOINC code (system http://loinc.org)." : $"LOINC {loinc} is not a test this laboratory's catalogue maps."));
            if (order.Results.Any(r => r.Loinc == test.Loinc))
                return (null, new(422, OperationOutcome.IssueType.Duplicate, $"LOINC {loinc} is reported twice in one report."));
            if (observation.Value is not Quantity { Value: { } value } quantity)
                return (null, new(422, OperationOutcome.IssueType.Required, $"{test.Name}: valueQuantity with a value is required."));
            var unit = quantity.Code ?? quantity.Unit;
            if (unit != test.Unit)
                return (null, new(422, OperationOutcome.IssueType.CodeInvalid, $"{test.Name} is reported in {test.Unit} (UCUM), not '{unit}'."));
            if (test.Parse(value.ToString(CultureInfo.InvariantCulture), out var error) is not { } parsed)
                return (null, new(422, OperationOutcome.IssueType.Value, error!));
            order.Results.Add(new LabResult
            {
                Id = EhrIds.New("res"),
                OrderId = recordId,
                Position = position,
                Loinc = test.Loinc,
                Name = test.Name,
                Unit = test.Unit,
                ReferenceLow = test.Low,
                ReferenceHigh = test.High,
                Value = parsed,
                Flag = LabTest.FlagOf(parsed, test.Low, test.High),
            });
        }
        return (order, null);
    }
}

/// <summary>
/// A hospital's records as its format stores them: each Encounter is an admission, and a Condition (diagnosis),
/// MedicationRequest (prescription), AllergyIntolerance or DocumentReference (clinical note) is part of the admission
/// whose Encounter entry it names (<c>encounter</c>, or <c>context.encounter</c> for a note, set to that entry's
/// <c>fullUrl</c>), because the format keeps every one of them under an admission. Every field goes through the
/// admission form's own validation (<see cref="HospitalRecords.Validate"/>), so a pushed record is held to what staff
/// typing it would be held to. Each entry is one record with its own anchor, as a saved form's records are.
/// </summary>
internal sealed class HospitalBundleFormat(HospitalStore store, LedgerReader reader, FacilityApiClient client) : BundleFormat(reader, client)
{
    private HospitalStoreContext _db = null!;

    public override DbContext Open() => _db = store.Open();

    public override string? PrefixOf(Resource resource) => resource switch
    {
        Encounter => "adm",
        Condition => "dx",
        MedicationRequest => "rx",
        AllergyIntolerance => "alg",
        DocumentReference => "note",
        _ => null,
    };

    public override string Takes(string resourceType) =>
        $"A hospital takes Encounter, Condition, MedicationRequest, AllergyIntolerance and DocumentReference entries, not {resourceType}.";

    public override void Map(IReadOnlyList<BundleEntry> entries, DateTime now)
    {
        var encounters = new Dictionary<string, (BundleEntry Entry, AdmissionInput Input)>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.Resource is Encounter))
        {
            // A refused Encounter is still the one its parts name: they are refused with it, not as pointing nowhere.
            if (entry.Refused is not null)
            {
                if (entry.FullUrl is not null) encounters.TryAdd(entry.FullUrl, (entry, null!));
                continue;
            }
            var encounter = (Encounter)entry.Resource!;
            var (mpi, refused) = PatientOf(encounter.Subject);
            var input = refused is null ? InputOf(encounter, out refused) : null;
            if (refused is not null)
            {
                entry.Refused = refused;
            }
            else
            {
                var errors = HospitalRecords.Validate(mpi!, input!, now, out var valid);
                if (errors.Any) entry.Refused = Invalid(errors);
                else
                {
                    var admission = valid.Admission;
                    admission.Id = entry.RecordId;
                    admission.Diagnoses.Clear();
                    admission.Prescriptions.Clear();
                    admission.Allergies.Clear();
                    admission.EnteredBy = Anchoring.AnchorWorkflow.SystemPrefix + Client.Id;
                    (entry.Row, entry.Mpi, entry.Location) = (admission, mpi!, "Encounter/" + entry.RecordId);
                }
            }
            if (entry.FullUrl is not null) encounters.TryAdd(entry.FullUrl, (entry, input!));
        }

        foreach (var entry in entries.Where(e => e.Refused is null && e.Resource is not Encounter))
        {
            var (reference, subject) = entry.Resource switch
            {
                Condition c => (c.Encounter?.Reference, c.Subject),
                MedicationRequest m => (m.Encounter?.Reference, m.Subject),
                AllergyIntolerance a => (a.Encounter?.Reference, a.Patient),
                DocumentReference d => (d.Context?.Encounter.FirstOrDefault()?.Reference, d.Subject),
                _ => (null, null),
            };
            if (!TryAttach(entry, reference, subject, encounters, "A hospital keeps each {type} under an admission", out var parent)) continue;
            entry.Location = entry.Resource!.TypeName + "/" + entry.RecordId;
            entry.Row = PartOf(entry, parent.Input, (AdmissionRow)parent.Entry.Row!, now);
        }
    }

    /// <summary>One part, validated as the admission form validates it (alone beside its admission's fields), or the refusal.</summary>
    private object? PartOf(BundleEntry entry, AdmissionInput parent, AdmissionRow admission, DateTime now)
    {
        var input = new AdmissionInput
        {
            Type = parent.Type, Ward = parent.Ward, AttendingClinician = parent.AttendingClinician, StartedAt = parent.StartedAt, EndedAt = parent.EndedAt,
        };
        string? author = null;
        DateTime? writtenAt = null;
        switch (entry.Resource)
        {
            case Condition c:
                var coding = c.Code?.Coding.FirstOrDefault(x => x.System == Icd10.System);
                if (coding?.Code is null)
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.CodeInvalid, $"The Condition needs an ICD-10 code (system {Icd10.System}).");
                    return null;
                }
                input.Diagnoses.Add(new DiagnosisInput { Icd10 = coding.Code, Description = coding.Display ?? c.Code!.Text });
                break;
            case MedicationRequest m:
                var dosage = m.DosageInstruction.FirstOrDefault();
                var dose = dosage?.DoseAndRate.FirstOrDefault()?.Dose as Quantity;
                input.Prescriptions.Add(new PrescriptionInput
                {
                    Drug = (m.Medication as CodeableConcept) is { } drug ? drug.Text ?? drug.Coding.FirstOrDefault()?.Display : null,
                    Dose = dose?.Value is { } amount ? $"{amount.ToString(CultureInfo.InvariantCulture)} {dose.Unit ?? dose.Code}".Trim() : null,
                    Route = (dosage?.Route?.Text ?? dosage?.Route?.Coding.FirstOrDefault()?.Display)?.Trim().ToLowerInvariant(),
                    Frequency = dosage?.Timing?.Code?.Text ?? dosage?.Timing?.Code?.Coding.FirstOrDefault()?.Display,
                    DurationDays = m.DispenseRequest?.ExpectedSupplyDuration is { Value: { } days } supply && (supply.Code ?? supply.Unit) is "d" or "day" or "days" && days == decimal.Truncate(days) && days is > 0 and <= int.MaxValue
                        ? (int)days : null,
                });
                break;
            case AllergyIntolerance a:
                var reaction = a.Reaction.FirstOrDefault();
                input.Allergies.Add(new AllergyInput
                {
                    Substance = a.Code?.Text ?? a.Code?.Coding.FirstOrDefault()?.Display,
                    Category = a.Category.FirstOrDefault()?.GetLiteral() ?? AllergyCategories.Medication,
                    Reaction = reaction?.Manifestation.FirstOrDefault() is { } manifestation ? manifestation.Text ?? manifestation.Coding.FirstOrDefault()?.Display : null,
                    Severity = reaction?.Severity?.GetLiteral(),
                });
                break;
            case DocumentReference d:
                var data = d.Content.FirstOrDefault()?.Attachment?.Data;
                if (data is null)
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.Required, "The note's text goes in content[0].attachment.data (UTF-8 plain text).");
                    return null;
                }
                string text;
                try
                {
                    text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
                }
                catch (System.Text.DecoderFallbackException)
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.Value, "The note's text is not UTF-8.");
                    return null;
                }
                if (string.IsNullOrWhiteSpace(text))
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.Required, "The note is empty.");
                    return null;
                }
                input.Note = text;
                author = d.Author.FirstOrDefault(x => !string.IsNullOrWhiteSpace(x.Display))?.Display?.Trim();
                writtenAt = d.Date?.UtcDateTime;
                break;
        }
        var errors = HospitalRecords.Validate(entry.Mpi, input, now, out var valid);
        if (errors.Any)
        {
            entry.Refused = Invalid(errors);
            return null;
        }
        switch (entry.Resource)
        {
            case Condition:
                var diagnosis = valid.Admission.Diagnoses[0];
                (diagnosis.Id, diagnosis.Admission, diagnosis.AdmissionId) = (entry.RecordId, admission, admission.Id);
                return diagnosis;
            case MedicationRequest:
                var prescription = valid.Admission.Prescriptions[0];
                (prescription.Id, prescription.Admission, prescription.AdmissionId) = (entry.RecordId, admission, admission.Id);
                return prescription;
            case AllergyIntolerance:
                var allergy = valid.Admission.Allergies[0];
                (allergy.Id, allergy.Admission, allergy.AdmissionId) = (entry.RecordId, admission, admission.Id);
                return allergy;
            default:
                if (writtenAt is { } at && at > now.AddHours(1))
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.Value, "The note's date is in the future.");
                    return null;
                }
                return new ClinicalNote
                {
                    Id = entry.RecordId, Admission = admission, AdmissionId = admission.Id,
                    Author = Trim(author ?? admission.AttendingClinician, 200), Text = valid.Note,
                    WrittenAt = HospitalRecords.Truncate(writtenAt ?? admission.StartedAt),
                };
        }
    }

    /// <summary>The admission form's input from an Encounter, or why the Encounter cannot be one.</summary>
    private static AdmissionInput? InputOf(Encounter encounter, out Refusal? refused)
    {
        refused = null;
        var type = encounter.Class?.Code switch
        {
            "IMP" or "ACUTE" or "NONAC" => AdmissionTypes.Inpatient,
            "EMER" => AdmissionTypes.Emergency,
            "AMB" or "SS" => AdmissionTypes.Outpatient,
            _ => null,
        };
        if (type is null)
        {
            refused = new(422, OperationOutcome.IssueType.CodeInvalid, $"Encounter.class '{encounter.Class?.Code}' is not IMP (inpatient), EMER (emergency) or AMB (outpatient) of the v3 ActCode system.");
            return null;
        }
        DateTime? At(FhirDateTime? t) => t is not null && t.TryToDateTimeOffset(out var at) ? at.UtcDateTime : null;
        return new AdmissionInput
        {
            Type = type,
            Ward = encounter.Location.FirstOrDefault()?.Location?.Display,
            AttendingClinician = encounter.Participant.Select(p => p.Individual?.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d)),
            StartedAt = At(encounter.Period?.StartElement),
            EndedAt = At(encounter.Period?.EndElement),
        };
    }

    private static Refusal Invalid(Forms.FieldErrors errors) =>
        new(422, OperationOutcome.IssueType.Value, string.Join(" ", errors.All.Select(e => e.Value)));

    public override async Task<Dictionary<string, string>> StoredAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in await _db.Admissions.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Patient.Mpi }).ToListAsync(ct)) stored[a.Id] = a.Mpi;
        foreach (var d in await _db.Diagnoses.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Admission.Patient.Mpi }).ToListAsync(ct)) stored[d.Id] = d.Mpi;
        foreach (var p in await _db.Prescriptions.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Admission.Patient.Mpi }).ToListAsync(ct)) stored[p.Id] = p.Mpi;
        foreach (var a in await _db.Allergies.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Admission.Patient.Mpi }).ToListAsync(ct)) stored[a.Id] = a.Mpi;
        foreach (var n in await _db.Notes.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Admission.Patient.Mpi }).ToListAsync(ct)) stored[n.Id] = n.Mpi;
        return stored;
    }

    /// <summary>A part goes with its admission: refused with it, and only new under a new one (a stored admission is not reopened).</summary>
    public override void AfterExisting(IReadOnlyList<BundleEntry> entries)
    {
        foreach (var (part, parent) in ParentOf.Where(p => p.Key.Refused is null))
        {
            if (parent.Refused is not null)
                part.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its Encounter (Bundle.entry[{parent.Index}]) was refused.");
            else if (parent.Existing && !part.Existing)
                part.Refused = new(422, OperationOutcome.IssueType.NotSupported,
                    $"Its Encounter (Bundle.entry[{parent.Index}]) was posted before; a stored admission takes no new records. Post the encounter's records together.");
            else if (part.Existing && !parent.Existing)
                part.Refused = new(409, OperationOutcome.IssueType.Duplicate, $"Record {part.RecordId} was posted before under another Encounter.");
        }
    }

    public override async Task AddAsync(IReadOnlyList<BundleEntry> fresh, CancellationToken ct)
    {
        var patients = await _db.PatientsForWriteAsync(fresh.Where(e => e.Row is AdmissionRow).Select(e => e.Mpi).ToList(), ct);
        foreach (var entry in fresh.Where(e => e.Row is AdmissionRow))
        {
            var admission = (AdmissionRow)entry.Row!;
            var patient = patients[entry.Mpi];
            admission.Patient = patient;
            admission.PatientMrn = patient.Mrn;
            _db.Admissions.Add(admission);
        }
        // Positions in Bundle order within each admission, as the form numbers its rows.
        foreach (var group in fresh.Where(e => e.Row is not AdmissionRow).GroupBy(e => ParentOf[e]))
        {
            int diagnoses = 0, prescriptions = 0, allergies = 0;
            foreach (var part in group)
            {
                switch (part.Row)
                {
                    case Diagnosis d: d.Position = diagnoses++; _db.Diagnoses.Add(d); break;
                    case Prescription p: p.Position = prescriptions++; _db.Prescriptions.Add(p); break;
                    case HospitalAllergy a: a.Position = allergies++; _db.Allergies.Add(a); break;
                    case ClinicalNote n: _db.Notes.Add(n); break;
                }
            }
        }
    }

    public override EhrRecord RecordOf(BundleEntry entry) => entry.Row switch
    {
        AdmissionRow a => HospitalFhir.Encounter(Client.FacilityId, a, store.Zone),
        Diagnosis d => HospitalFhir.Condition(Client.FacilityId, d, store.Zone),
        Prescription p => HospitalFhir.MedicationRequest(Client.FacilityId, p, store.Zone),
        HospitalAllergy x => HospitalFhir.AllergyIntolerance(Client.FacilityId, x, store.Zone),
        ClinicalNote n => HospitalFhir.DocumentReference(Client.FacilityId, n, store.Zone),
        _ => throw new InvalidOperationException($"entry {entry.Index} has no hospital row"),
    };

    public override void Remove(IReadOnlyList<BundleEntry> entries)
    {
        // Parts first, then their admissions; a row the context no longer tracks (taken out with its admission) is left alone.
        foreach (var entry in entries.OrderBy(e => e.Row is AdmissionRow ? 1 : 0))
        {
            if (_db.Entry(entry.Row!).State != EntityState.Detached) _db.Remove(entry.Row!);
        }
    }
}

/// <summary>
/// A clinic's visits as its format stores them (<see cref="ClinicFhir"/>): each Encounter (class AMB) is a visit, with
/// the visit's note (a DocumentReference, its findings; a visit is never stored without one), its vital signs
/// (Observations of the blood pressure panel 85354-9, heart rate 8867-4, body temperature 8310-5 and body weight
/// 29463-7, which travel inside the visit's encounter record as the visit form's vitals do) and its allergies
/// (AllergyIntolerance, each its own record). Each part names its Encounter entry (<c>encounter</c>, or
/// <c>context.encounter</c> for the note) by its <c>fullUrl</c>. The clinic format has no diagnosis or medication list, so
/// a Condition or MedicationRequest/MedicationStatement is refused with that reason rather than dropped. Every field
/// goes through the visit form's own validation (<see cref="ClinicRecords.Validate"/>).
/// </summary>
internal sealed class ClinicBundleFormat(ClinicStore store, LedgerReader reader, FacilityApiClient client) : BundleFormat(reader, client)
{
    private ClinicStoreContext _db = null!;

    /// <summary>A visit's note: the visit row itself holds it (findings, treatment, follow-up; id <c>NoteId</c>).</summary>
    private sealed record NoteRow(Visit Visit);

    /// <summary>One vital sign of a visit, put into the visit's <see cref="Vitals"/> when the visit is added.</summary>
    private sealed record VitalRow(Visit Visit, string Loinc, Action<Vitals> Apply);

    private static readonly Dictionary<string, string> VitalNames = new(StringComparer.Ordinal)
    {
        ["85354-9"] = "Blood pressure", ["8867-4"] = "Heart rate", ["8310-5"] = "Body temperature", ["29463-7"] = "Body weight",
    };

    public override DbContext Open() => _db = store.Open();

    public override string? PrefixOf(Resource resource) => resource switch
    {
        Encounter => "visit",
        DocumentReference => "note",
        AllergyIntolerance => "alg",
        Observation => "vs",
        _ => null,
    };

    public override string Takes(string resourceType) => resourceType is "Condition" or "MedicationRequest" or "MedicationStatement"
        ? $"A clinic's record format keeps visits with their note, vital signs and allergies; it has no diagnosis or medication list, so it cannot store a {resourceType}. Put the diagnosis or medication in the visit's note."
        : $"A clinic takes Encounter (the visit), DocumentReference (its note), vital-sign Observation and AllergyIntolerance entries, not {resourceType}.";

    public override void Map(IReadOnlyList<BundleEntry> entries, DateTime now)
    {
        var visits = new Dictionary<string, (BundleEntry Entry, VisitInput Input)>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.Resource is Encounter))
        {
            VisitInput? input = null;
            if (entry.Refused is null)
            {
                var (mpi, refused) = PatientOf(((Encounter)entry.Resource!).Subject);
                input = refused is null ? InputOf((Encounter)entry.Resource!, out refused) : null;
                if (refused is not null) entry.Refused = refused;
                else
                {
                    // The note is checked with the note; here only what the Encounter carries (findings stand in).
                    var errors = ClinicRecords.Validate(mpi!, WithFindings(input!, "-"), now, out var valid);
                    if (errors.Any) entry.Refused = Invalid(errors);
                    else
                    {
                        var visit = new Visit
                        {
                            Id = entry.RecordId, SeenAt = HospitalRecords.Truncate(valid.SeenAt!.Value), Clinician = valid.Clinician, ChiefComplaint = valid.Complaint,
                            EnteredBy = Anchoring.AnchorWorkflow.SystemPrefix + Client.Id,
                        };
                        (entry.Row, entry.Mpi, entry.Location) = (visit, mpi!, "Encounter/" + entry.RecordId);
                    }
                }
            }
            // A refused Encounter is still the one its parts name: they are refused with it, not as pointing nowhere.
            if (entry.FullUrl is not null) visits.TryAdd(entry.FullUrl, (entry, input!));
        }

        foreach (var entry in entries.Where(e => e.Refused is null && e.Resource is not Encounter))
        {
            var (reference, subject) = entry.Resource switch
            {
                DocumentReference d => (d.Context?.Encounter.FirstOrDefault()?.Reference, d.Subject),
                Observation o => (o.Encounter?.Reference, o.Subject),
                AllergyIntolerance a => (a.Encounter?.Reference, a.Patient),
                _ => (null, null),
            };
            if (entry.Resource is Observation observation && LoincOf(observation) is var loinc && (loinc is null || !VitalNames.ContainsKey(loinc)))
            {
                entry.Refused = new(422, OperationOutcome.IssueType.CodeInvalid,
                    $"{(loinc is null ? "The Observation has no LOINC code" : $"LOINC {loinc} is not a vital sign a clinic visit records")}: a clinic takes the blood pressure panel (85354-9 with 8480-6 and 8462-4), heart rate (8867-4), body temperature (8310-5) and body weight (29463-7).");
                continue;
            }
            if (!TryAttach(entry, reference, subject, visits, "A clinic keeps each {type} under a visit", out var parent)) continue;
            entry.Row = PartOf(entry, parent.Input, (Visit)parent.Entry.Row!, now);
            entry.Location = entry.Row is VitalRow ? parent.Entry.Location : entry.Resource!.TypeName + "/" + entry.RecordId;
        }
    }

    private static VisitInput WithFindings(VisitInput input, string findings) => new()
    {
        SeenAt = input.SeenAt, Clinician = input.Clinician, ChiefComplaint = input.ChiefComplaint, Findings = findings,
    };

    private static string? LoincOf(Observation observation) => observation.Code?.Coding.FirstOrDefault(c => c.System == EhrFhir.LoincSystem)?.Code;

    /// <summary>One part, validated as the visit form validates it (alone beside its visit's fields), or the refusal.</summary>
    private object? PartOf(BundleEntry entry, VisitInput parent, Visit visit, DateTime now)
    {
        var input = WithFindings(parent, "-");
        switch (entry.Resource)
        {
            case DocumentReference d:
                if (visit.NoteId.Length > 0)
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.BusinessRule, "A clinic visit has one note; this Encounter has another one in the Bundle.");
                    return null;
                }
                if (NoteText(entry, d) is not { } text) return null;
                ReadNote(text, input);
                break;
            case Observation o:
                var loinc = LoincOf(o)!;
                if (ParentOf.Any(p => p.Value == ParentOf[entry] && p.Key != entry && p.Key.Refused is null && p.Key.Row is VitalRow v && v.Loinc == loinc))
                {
                    entry.Refused = new(422, OperationOutcome.IssueType.Duplicate, $"{VitalNames[loinc]} is recorded twice for this visit.");
                    return null;
                }
                if (!ReadVital(entry, o, loinc, input)) return null;
                break;
            case AllergyIntolerance a:
                var reaction = a.Reaction.FirstOrDefault();
                input.Allergies.Add(new AllergyInput
                {
                    Substance = a.Code?.Text ?? a.Code?.Coding.FirstOrDefault()?.Display,
                    Category = a.Category.FirstOrDefault()?.GetLiteral() ?? AllergyCategories.Medication,
                    Reaction = reaction?.Manifestation.FirstOrDefault() is { } manifestation ? manifestation.Text ?? manifestation.Coding.FirstOrDefault()?.Display : null,
                    Severity = reaction?.Severity?.GetLiteral(),
                });
                break;
        }
        var errors = ClinicRecords.Validate(entry.Mpi, input, now, out var valid);
        if (errors.Any)
        {
            entry.Refused = Invalid(errors);
            return null;
        }
        switch (entry.Resource)
        {
            case DocumentReference:
                (visit.NoteId, visit.Findings, visit.Treatment, visit.FollowUpOn) = (entry.RecordId, valid.Findings, valid.Treatment, input.FollowUpOn);
                return new NoteRow(visit);
            case Observation:
                return new VitalRow(visit, LoincOf((Observation)entry.Resource)!, v =>
                {
                    v.Systolic ??= input.Systolic;
                    v.Diastolic ??= input.Diastolic;
                    v.Pulse ??= input.Pulse;
                    v.TemperatureC ??= input.TemperatureC;
                    v.WeightKg ??= input.WeightKg;
                });
            default:
                var allergy = valid.Allergies[0];
                return new ClinicAllergy
                {
                    Id = entry.RecordId, Visit = visit, VisitId = visit.Id, Substance = allergy.Substance, Category = allergy.Category,
                    Reaction = allergy.Reaction, Severity = allergy.Severity,
                };
        }
    }

    /// <summary>The note's UTF-8 text, or null with the entry refused.</summary>
    private static string? NoteText(BundleEntry entry, DocumentReference d)
    {
        if (d.Content.FirstOrDefault()?.Attachment?.Data is not { } data)
        {
            entry.Refused = new(422, OperationOutcome.IssueType.Required, "The note's text goes in content[0].attachment.data (UTF-8 plain text).");
            return null;
        }
        try
        {
            var text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
            if (!string.IsNullOrWhiteSpace(text)) return text;
            entry.Refused = new(422, OperationOutcome.IssueType.Required, "The note is empty.");
        }
        catch (System.Text.DecoderFallbackException)
        {
            entry.Refused = new(422, OperationOutcome.IssueType.Value, "The note's text is not UTF-8.");
        }
        return null;
    }

    /// <summary>
    /// A note laid out as the clinic serves it ("Findings: …", "Treatment: …", "Follow-up: yyyy-MM-dd" lines) is read back
    /// into those fields; any other text is the findings, whole.
    /// </summary>
    private static void ReadNote(string text, VisitInput input)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? Field(string label) => lines.FirstOrDefault(l => l.StartsWith(label + ": ", StringComparison.Ordinal))?[(label.Length + 2)..];
        if (Field("Findings") is not { } findings)
        {
            input.Findings = text.Trim();
            return;
        }
        input.Findings = findings;
        input.Treatment = Field("Treatment");
        if (Field("Follow-up") is { } followUp && DateOnly.TryParseExact(followUp.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
            input.FollowUpOn = on;
    }

    /// <summary>The vital's value(s) into the form's fields, in the units the clinic records; false with the entry refused.</summary>
    private static bool ReadVital(BundleEntry entry, Observation o, string loinc, VisitInput input)
    {
        bool Refuse(string message)
        {
            entry.Refused = new(422, OperationOutcome.IssueType.Value, message);
            return false;
        }
        decimal? Value(DataType? value, string unit, string name, out string? problem)
        {
            problem = null;
            if (value is not Quantity { Value: { } v } q)
            {
                problem = $"{name}: valueQuantity with a value is required.";
                return null;
            }
            if ((q.Code ?? q.Unit) != unit)
            {
                problem = $"{name} is recorded in {unit} (UCUM), not '{q.Code ?? q.Unit}'.";
                return null;
            }
            return v;
        }
        int? Whole(decimal value, string name, out string? problem)
        {
            problem = value == decimal.Truncate(value) && value is >= int.MinValue and <= int.MaxValue ? null : $"{name} is a whole number.";
            return problem is null ? (int)value : null;
        }
        string? problem;
        switch (loinc)
        {
            case "85354-9":
                var systolic = o.Component.FirstOrDefault(c => c.Code?.Coding.Any(x => x.System == EhrFhir.LoincSystem && x.Code == "8480-6") == true);
                var diastolic = o.Component.FirstOrDefault(c => c.Code?.Coding.Any(x => x.System == EhrFhir.LoincSystem && x.Code == "8462-4") == true);
                if (systolic is null || diastolic is null) return Refuse("The blood pressure panel needs both components: systolic (8480-6) and diastolic (8462-4).");
                if (Value(systolic.Value, "mm[Hg]", "Systolic BP", out problem) is not { } s || Whole(s, "Systolic BP", out problem) is not { } sys) return Refuse(problem!);
                if (Value(diastolic.Value, "mm[Hg]", "Diastolic BP", out problem) is not { } d || Whole(d, "Diastolic BP", out problem) is not { } dia) return Refuse(problem!);
                (input.Systolic, input.Diastolic) = (sys, dia);
                return true;
            case "8867-4":
                if (Value(o.Value, "/min", "Heart rate", out problem) is not { } p || Whole(p, "Pulse", out problem) is not { } pulse) return Refuse(problem!);
                input.Pulse = pulse;
                return true;
            case "8310-5":
                if (Value(o.Value, "Cel", "Body temperature", out problem) is not { } t) return Refuse(problem!);
                input.TemperatureC = OneDecimal(t);
                return true;
            default:
                if (Value(o.Value, "kg", "Body weight", out problem) is not { } w) return Refuse(problem!);
                input.WeightKg = OneDecimal(w);
                return true;
        }
    }

    /// <summary>
    /// The value as the store gives it back (one decimal place, "37.0"), so the encounter record hashed now is the one the
    /// store serves later. A value with more places is left as it is, for the form's check to refuse.
    /// </summary>
    private static decimal OneDecimal(decimal value) => decimal.Round(value, 1) == value
        ? decimal.Parse(value.ToString("0.0", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
        : value;

    /// <summary>The visit form's input from an Encounter (class AMB, reason, clinician, start), or why it cannot be a visit.</summary>
    private static VisitInput? InputOf(Encounter encounter, out Refusal? refused)
    {
        refused = null;
        if (encounter.Class?.Code != "AMB")
        {
            refused = new(422, OperationOutcome.IssueType.CodeInvalid, $"Encounter.class '{encounter.Class?.Code}' is not AMB: a clinic visit is ambulatory.");
            return null;
        }
        return new VisitInput
        {
            SeenAt = encounter.Period?.StartElement is { } start && start.TryToDateTimeOffset(out var at) ? at.UtcDateTime : null,
            Clinician = encounter.Participant.Select(p => p.Individual?.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d)),
            ChiefComplaint = encounter.ReasonCode.Select(r => r.Text ?? r.Coding.FirstOrDefault()?.Display).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)),
        };
    }

    private static Refusal Invalid(Forms.FieldErrors errors) =>
        new(422, OperationOutcome.IssueType.Value, string.Join(" ", errors.All.Select(e => e.Value)));

    public override async Task<Dictionary<string, string>> StoredAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in await _db.Visits.AsNoTracking().Where(x => ids.Contains(x.Id) || ids.Contains(x.NoteId)).Select(x => new { x.Id, x.NoteId, x.Patient.Mpi }).ToListAsync(ct))
        {
            if (ids.Contains(v.Id)) stored[v.Id] = v.Mpi;
            if (ids.Contains(v.NoteId)) stored[v.NoteId] = v.Mpi;
        }
        foreach (var a in await _db.Allergies.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => new { x.Id, x.Visit.Patient.Mpi }).ToListAsync(ct)) stored[a.Id] = a.Mpi;
        return stored;
    }

    /// <summary>
    /// A part goes with its visit: refused with it, and only new under a new one (a stored visit is not reopened). A vital
    /// sign has no row of its own (it is in its visit's record), so it was posted before exactly when its visit was.
    /// </summary>
    public override void AfterExisting(IReadOnlyList<BundleEntry> entries)
    {
        foreach (var (part, parent) in ParentOf.Where(p => p.Key.Refused is null))
        {
            if (parent.Refused is not null)
                part.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its Encounter (Bundle.entry[{parent.Index}]) was refused.");
            else if (part.Row is VitalRow)
                part.Existing = parent.Existing;
            else if (parent.Existing && !part.Existing)
                part.Refused = new(422, OperationOutcome.IssueType.NotSupported,
                    $"Its Encounter (Bundle.entry[{parent.Index}]) was posted before; a stored visit takes no new records. Post the visit's records together.");
            else if (part.Existing && !parent.Existing)
                part.Refused = new(409, OperationOutcome.IssueType.Duplicate, $"Record {part.RecordId} was posted before under another Encounter.");
        }
        // A new visit is stored with its note or not at all (the form requires the findings), and its parts go with it. A
        // visit posted before is answered as it was without one: its note is in the store.
        foreach (var visit in entries.Where(e => e.Row is Visit && e.Refused is null && !e.Existing))
        {
            var note = ParentOf.Where(p => p.Value == visit && p.Key.Resource is DocumentReference).Select(p => p.Key).OrderBy(e => e.Index).FirstOrDefault();
            if (note is null)
                visit.Refused = new(422, OperationOutcome.IssueType.Required,
                    "A clinic visit is stored with its note (the findings): add a DocumentReference whose context.encounter is this Encounter's fullUrl.");
            else if (note.Refused is not null)
                visit.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its note (Bundle.entry[{note.Index}]) was refused, and a clinic visit is stored with its note.");
        }
        foreach (var (part, parent) in ParentOf.Where(p => p.Key.Refused is null && p.Value.Refused is not null))
            part.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its Encounter (Bundle.entry[{parent.Index}]) was refused.");
    }

    public override async Task AddAsync(IReadOnlyList<BundleEntry> fresh, CancellationToken ct)
    {
        var patients = await _db.PatientsForWriteAsync(fresh.Where(e => e.Row is Visit).Select(e => e.Mpi).ToList(), ct);
        // Allergies numbered in Bundle order within each visit, as the form numbers its rows; vitals merged into one row.
        foreach (var group in fresh.Where(e => e.Row is ClinicAllergy or VitalRow).GroupBy(e => ParentOf[e]))
        {
            var visit = (Visit)group.Key.Row!;
            var position = 0;
            foreach (var part in group.OrderBy(e => e.Index))
            {
                if (part.Row is ClinicAllergy allergy)
                {
                    allergy.Position = position++;
                    visit.Allergies.Add(allergy);
                }
                else ((VitalRow)part.Row!).Apply(visit.Vitals ??= new Vitals { VisitId = visit.Id, Visit = visit });
            }
        }
        foreach (var entry in fresh.Where(e => e.Row is Visit))
        {
            var visit = (Visit)entry.Row!;
            visit.Patient = patients[entry.Mpi];
            visit.PatientMrn = visit.Patient.Mrn;
            _db.Visits.Add(visit);
        }
    }

    public override EhrRecord? RecordOf(BundleEntry entry) => entry.Row switch
    {
        Visit v => ClinicFhir.Encounter(Client.FacilityId, v, store.Zone),
        NoteRow n => ClinicFhir.Note(Client.FacilityId, n.Visit, store.Zone),
        ClinicAllergy a => ClinicFhir.AllergyIntolerance(Client.FacilityId, a, store.Zone),
        VitalRow => null,
        _ => throw new InvalidOperationException($"entry {entry.Index} has no clinic row"),
    };

    public override void Remove(IReadOnlyList<BundleEntry> entries)
    {
        // Allergies first, then their visits (which take their vitals and note along); a row no longer tracked is left alone.
        foreach (var entry in entries.OrderBy(e => e.Row is Visit ? 1 : 0))
        {
            if (entry.Row is ClinicAllergy or Visit && _db.Entry(entry.Row).State != EntityState.Detached) _db.Remove(entry.Row);
        }
    }
}
