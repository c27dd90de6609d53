using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using HealthPortal.Features.Ehr;
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

    /// <summary>The record an added entry became, as the store will serve it (so its hash is the one anchored).</summary>
    public abstract EhrRecord RecordOf(BundleEntry entry);

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
        var mpis = fresh.Select(e => e.Mpi).Distinct().ToList();
        var patients = await _db.Patients.Where(p => mpis.Contains(p.Mpi)).ToDictionaryAsync(p => p.Mpi, ct);
        var count = await _db.Patients.CountAsync(ct);
        foreach (var entry in fresh)
        {
            var order = (LabOrder)entry.Row!;
            if (!patients.TryGetValue(entry.Mpi, out var patient))
            {
                patient = new LabPatient { Mrn = $"L{++count:D8}", Mpi = entry.Mpi };
                patients[entry.Mpi] = patient;
                _db.Patients.Add(patient);
            }
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

    /// <summary>The admission entry each part belongs to.</summary>
    private readonly Dictionary<BundleEntry, BundleEntry> _parentOf = [];

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
            if (reference is null || !encounters.TryGetValue(reference, out var parent))
            {
                entry.Refused = new(422, OperationOutcome.IssueType.Required,
                    $"A hospital keeps each {entry.Resource!.TypeName} under an admission: point its {(entry.Resource is DocumentReference ? "context.encounter" : "encounter")} at an Encounter entry of this Bundle (its fullUrl).");
                continue;
            }
            _parentOf[entry] = parent.Entry;
            if (parent.Entry.Refused is not null)
            {
                entry.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its Encounter (Bundle.entry[{parent.Entry.Index}]) was refused.");
                continue;
            }
            var (mpi, refused) = PatientOf(subject);
            if (refused is not null)
            {
                entry.Refused = refused;
                continue;
            }
            if (mpi != parent.Entry.Mpi)
            {
                entry.Refused = new(422, OperationOutcome.IssueType.Invalid, $"Its patient ({mpi}) is not its Encounter's ({parent.Entry.Mpi}).");
                continue;
            }
            entry.Mpi = mpi!;
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
        foreach (var (part, parent) in _parentOf.Where(p => p.Key.Refused is null))
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
        var mpis = fresh.Select(e => e.Mpi).Distinct().ToList();
        var patients = await _db.Patients.Where(p => mpis.Contains(p.Mpi)).ToDictionaryAsync(p => p.Mpi, ct);
        var count = await _db.Patients.CountAsync(ct);
        foreach (var entry in fresh.Where(e => e.Row is AdmissionRow))
        {
            var admission = (AdmissionRow)entry.Row!;
            if (!patients.TryGetValue(entry.Mpi, out var patient))
            {
                patient = new HospitalPatient { Mrn = $"H{++count:D7}", Mpi = entry.Mpi };
                patients[entry.Mpi] = patient;
                _db.Patients.Add(patient);
            }
            admission.Patient = patient;
            admission.PatientMrn = patient.Mrn;
            _db.Admissions.Add(admission);
        }
        // Positions in Bundle order within each admission, as the form numbers its rows.
        foreach (var group in fresh.Where(e => e.Row is not AdmissionRow).GroupBy(e => _parentOf[e]))
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
