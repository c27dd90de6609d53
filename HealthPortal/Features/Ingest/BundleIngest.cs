using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Ingest;

/// <summary>Limits of <c>POST /fhir/r4</c> (section <c>HealthPortal:Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "HealthPortal:Ingest";

    /// <summary>Entries of one Bundle; more is answered 413.</summary>
    [Range(1, 10_000)] public int MaxEntries { get; set; } = 1000;

    /// <summary>Bytes of one request body; more is answered 413 without reading the rest.</summary>
    [Range(1024, 256L * 1024 * 1024)] public long MaxBytes { get; set; } = 16L * 1024 * 1024;
}

/// <summary>The HTTP answer to a posted Bundle: a status and a FHIR resource (a response Bundle or an OperationOutcome).</summary>
public sealed record IngestAnswer(int Status, Resource Body);

/// <summary>
/// A facility system's <c>batch</c> or <c>transaction</c> Bundle (issue 17): every entry is parsed by Firely's strict
/// deserializer, mapped to the facility's native store, all of them written in one store transaction, and turned into
/// facility-signed <c>record.anchor</c>s waiting for each patient's co-signature (one confirmation per patient of the
/// Bundle). A refused entry gets its own OperationOutcome; a batch keeps the good ones, a transaction writes nothing
/// unless every entry is good. Record ids are derived from the facility and the entry's <c>fullUrl</c> (else the
/// Bundle's identifier and the entry's position), so posting the same Bundle again creates nothing twice.
/// Laboratories take lab results (Observation, or a DiagnosticReport with its Observations contained), which is what
/// the laboratory format stores; the hospital and clinic formats do not take pushed records yet.
/// </summary>
public sealed class BundleIngest(
    EhrStores stores, LedgerHost ledger, AnchorWorkflow workflow, IDbContextFactory<ApplicationDbContext> portal, TimeProvider clock,
    IOptions<IngestOptions> options, ILogger<BundleIngest> logger)
{
    private const string DefaultSpecimen = "serum";

    // Static: the service is scoped (one per request), the store file is shared by all of them.
    private static readonly KeyedLock Writers = new();

    public IngestOptions Limits => options.Value;

    /// <summary>Why one entry was refused: its HTTP status in the response Bundle, the FHIR issue type and a sentence.</summary>
    private sealed record Refusal(int Status, OperationOutcome.IssueType Code, string Message);

    /// <summary>One entry on its way: its position, idempotency key, and either what to store or why not.</summary>
    private sealed class Entry(int index)
    {
        public int Index { get; } = index;
        public string? FullUrl { get; set; }
        public string RecordId { get; set; } = "";
        public LabOrder? Order { get; set; }
        public Refusal? Refused { get; set; }
        /// <summary>Stored by an earlier post of the same entry: answered as it was, nothing written.</summary>
        public bool Existing { get; set; }
    }

    public async Task<IngestAnswer> PostAsync(FacilityApiClient client, ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        JsonObject bundle;
        try
        {
            bundle = JsonNode.Parse(body.Span) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            return Problem(400, OperationOutcome.IssueType.Structure, $"The body is not JSON: {e.Message}");
        }
        if (bundle["resourceType"]?.GetValueKind() != JsonValueKind.String || (string?)bundle["resourceType"] != "Bundle")
            return Problem(400, OperationOutcome.IssueType.Structure, "Post a FHIR Bundle (resourceType \"Bundle\").");
        var type = bundle["type"]?.GetValueKind() == JsonValueKind.String ? (string?)bundle["type"] : null;
        if (type is not ("batch" or "transaction"))
            return Problem(400, OperationOutcome.IssueType.Value, "Bundle.type must be \"batch\" or \"transaction\".");
        var isTransaction = type == "transaction";
        var items = bundle["entry"] as JsonArray ?? [];
        if (items.Count == 0) return Problem(400, OperationOutcome.IssueType.Required, "The Bundle has no entries.");
        if (items.Count > Limits.MaxEntries)
            return Problem(413, OperationOutcome.IssueType.TooCostly, $"A Bundle may hold at most {Limits.MaxEntries} entries; this one has {items.Count}. Split it.");
        var bundleKey = BundleKey(bundle["identifier"]);

        if (await stores.ForWriteAsync(client.FacilityId, ct) is not { } store)
            return Problem(404, OperationOutcome.IssueType.NotFound, "This facility's store is not on this node: post to the facility's own node.");
        if (store is not LaboratoryStore lab)
            return Problem(422, OperationOutcome.IssueType.NotSupported,
                $"The {store.Kind.ToString().ToLowerInvariant()} record format does not take pushed records yet; only laboratories (lab results) do.");

        var now = clock.GetUtcNow().UtcDateTime;
        var entries = new List<Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var entry = new Entry(i);
            entries.Add(entry);
            if (items[i] is not JsonObject item)
            {
                entry.Refused = new(400, OperationOutcome.IssueType.Structure, "The entry is not a JSON object.");
                continue;
            }
            entry.FullUrl = item["fullUrl"]?.GetValueKind() == JsonValueKind.String ? (string?)item["fullUrl"] : null;
            var key = entry.FullUrl ?? (bundleKey is null ? null : $"{bundleKey}#{i}");
            entry.RecordId = key is null ? EhrIds.New("lab") : DerivedId(client.FacilityId, key);
            if (!seen.Add(entry.RecordId))
            {
                entry.Refused = new(409, OperationOutcome.IssueType.Duplicate, $"The Bundle lists the record {entry.FullUrl ?? "#" + i} twice.");
                continue;
            }
            var method = (item["request"] as JsonObject)?["method"];
            if (method is not null && (method.GetValueKind() != JsonValueKind.String || (string?)method != "POST"))
            {
                entry.Refused = new(405, OperationOutcome.IssueType.NotSupported, "Only POST (create) entries are taken: a record that may be anchored is never changed in place.");
                continue;
            }
            if (item["resource"] is not JsonObject resourceJson)
            {
                entry.Refused = new(400, OperationOutcome.IssueType.Required, "The entry has no resource.");
                continue;
            }
            Resource resource;
            try
            {
                resource = JsonSerializer.Deserialize<Resource>(resourceJson.ToJsonString(), FhirJson.Options)!;
            }
            catch (Exception e) when (e is JsonException or DeserializationFailedException or FormatException or NotSupportedException)
            {
                entry.Refused = new(400, OperationOutcome.IssueType.Structure, "Not valid FHIR R4: " + FirstLine(e.Message));
                continue;
            }
            var mapped = MapLab(resource, client, entry.RecordId, now);
            if (mapped.Refusal is not null) entry.Refused = mapped.Refusal;
            else entry.Order = mapped.Order;
        }

        // One Bundle of a facility at a time from here to the commit: two posts of the same Bundle (a client retrying
        // after a timeout) must find each other's records rather than both insert them, and SQLite takes one writer anyway.
        using var turn = await Writers.AcquireAsync(client.FacilityId, ct);
        await using var db = lab.Open();
        // Posted before: the same derived id is in the store already (with its confirmation, made in the same step).
        var ids = entries.Where(e => e.Refused is null).Select(e => e.RecordId).ToList();
        var stored = (await db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Patient.Mpi }).ToListAsync(ct)).ToDictionary(o => o.Id, o => o.Mpi);
        foreach (var entry in entries.Where(e => e.Refused is null && stored.ContainsKey(e.RecordId)))
        {
            if (stored[entry.RecordId] != entry.Order!.Patient.Mpi)
                entry.Refused = new(409, OperationOutcome.IssueType.Duplicate, $"Record {entry.RecordId} was posted before for another patient; a posted record is never changed.");
            else entry.Existing = true;
        }

        if (isTransaction && entries.Any(e => e.Refused is not null))
            return TransactionRefused(entries);

        var fresh = entries.Where(e => e.Refused is null && !e.Existing).ToList();
        var prepared = new List<string>();
        if (fresh.Count > 0)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var mpis = fresh.Select(e => e.Order!.Patient.Mpi).Distinct().ToList();
            var patients = await db.Patients.Where(p => mpis.Contains(p.Mpi)).ToDictionaryAsync(p => p.Mpi, ct);
            var count = await db.Patients.CountAsync(ct);
            foreach (var entry in fresh)
            {
                var order = entry.Order!;
                var mpi = order.Patient.Mpi;
                if (!patients.TryGetValue(mpi, out var patient))
                {
                    patient = new LabPatient { Mrn = $"L{++count:D8}", Mpi = mpi };
                    patients[mpi] = patient;
                    db.Patients.Add(patient);
                }
                order.Patient = patient;
                order.PatientMrn = patient.Mrn;
                db.Orders.Add(order);
            }
            await db.SaveChangesAsync(ct);

            // The store transaction stays open while the facility signs the anchors: a record is either written and
            // waiting for its patient, or not written at all.
            foreach (var group in fresh.GroupBy(e => e.Order!.Patient.Mpi))
            {
                var records = group.Select(e => LaboratoryFhir.Report(client.FacilityId, e.Order!, (store as LaboratoryStore)?.Zone)).ToList();
                var outcome = await workflow.PrepareFromFacilitySystemAsync(client.FacilityId, client.Id, group.Key, records);
                if (outcome.Succeeded)
                {
                    prepared.Add(outcome.Confirmation!.Id);
                    continue;
                }
                var refusal = outcome.Code switch
                {
                    AnchorError.UnknownPatient => new Refusal(422, OperationOutcome.IssueType.NotFound, outcome.Error!),
                    AnchorError.DuplicateRecord => new Refusal(409, OperationOutcome.IssueType.Duplicate, outcome.Error!),
                    AnchorError.FacilityNotOnLedger => new Refusal(503, OperationOutcome.IssueType.Transient, outcome.Error!),
                    _ => new Refusal(422, OperationOutcome.IssueType.Invalid, outcome.Error!),
                };
                foreach (var entry in group)
                {
                    entry.Refused = refusal;
                    db.Orders.Remove(entry.Order!);
                }
            }
            if (isTransaction && entries.Any(e => e.Refused is not null))
            {
                await transaction.RollbackAsync(ct);
                await WithdrawAsync(prepared);
                return TransactionRefused(entries);
            }
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (Exception e) when (e is DbUpdateException or Microsoft.Data.Sqlite.SqliteException or OperationCanceledException)
            {
                await WithdrawAsync(prepared);
                logger.LogError(e, "Bundle of API client {Client}: the store write failed; {Count} prepared confirmations withdrawn", client.Id, prepared.Count);
                return Problem(503, OperationOutcome.IssueType.Transient, "The facility's store could not be written; nothing was kept. Post the Bundle again.");
            }
        }
        logger.LogInformation("Bundle ({Type}) of API client {Client} for {Facility}: {Created} created, {Existing} already there, {Refused} refused, {Confirmations} confirmations",
            type, client.Id, client.FacilityId, entries.Count(e => e.Refused is null && !e.Existing), entries.Count(e => e.Existing), entries.Count(e => e.Refused is not null), prepared.Count);
        return new IngestAnswer(200, Response(isTransaction ? Bundle.BundleType.TransactionResponse : Bundle.BundleType.BatchResponse, entries));
    }

    /// <summary>A lab result as the laboratory format stores it: one order, reported, with one result per Observation.</summary>
    private (LabOrder? Order, Refusal? Refusal) MapLab(Resource resource, FacilityApiClient client, string recordId, DateTime now)
    {
        List<Observation> observations;
        ResourceReference? subject;
        Hl7.Fhir.Model.DataType? effective;
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
                return (null, new(422, OperationOutcome.IssueType.NotSupported, $"A laboratory takes Observation and DiagnosticReport entries, not {resource.TypeName}."));
        }

        if (MpiOf(subject) is not { } rawMpi)
            return (null, new(422, OperationOutcome.IssueType.Required, $"The subject must be the patient's MPI number (identifier system {EhrFhir.MpiSystem}, or reference \"Patient/<MPI>\")."));
        if (!MpiNumber.TryParse(rawMpi, out var mpi, out var mpiError))
            return (null, new(422, OperationOutcome.IssueType.Value, $"MPI number '{rawMpi}': {mpiError}"));
        if (!ledger.Reader.IsRegistered(mpi))
            return (null, new(422, OperationOutcome.IssueType.NotFound, $"MPI number {mpi} is not registered on the network."));
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
            Patient = new LabPatient { Mpi = mpi },
            OrderingClinician = Trim(clinician ?? client.Name, 200),
            SpecimenType = specimen,
            CollectedAt = collected,
            ReportedAt = new DateTime(now.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc),
            EnteredBy = AnchorWorkflow.SystemPrefix + client.Id,
            ReportedBy = AnchorWorkflow.SystemPrefix + client.Id,
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

    private static string? MpiOf(ResourceReference? subject)
    {
        if (subject is null) return null;
        if (subject.Identifier is { System: EhrFhir.MpiSystem, Value: { } value }) return value;
        return subject.Reference is { } r && r.StartsWith("Patient/", StringComparison.Ordinal) ? r["Patient/".Length..] : null;
    }

    /// <summary>
    /// The record id of an entry posted by a facility: a hash of the facility and the entry's key, so the same entry
    /// posted twice names the same record, and two facilities never collide.
    /// </summary>
    public static string DerivedId(string facilityId, string key) =>
        "lab-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(facilityId + "\n" + key)))[..32];

    private static string? BundleKey(JsonNode? identifier)
    {
        if (identifier is not JsonObject o) return null;
        var value = o["value"]?.GetValueKind() == JsonValueKind.String ? (string?)o["value"] : null;
        if (string.IsNullOrWhiteSpace(value)) return null;
        var system = o["system"]?.GetValueKind() == JsonValueKind.String ? (string?)o["system"] : null;
        return $"{system}|{value}";
    }

    /// <summary>Confirmations prepared for a Bundle that was then not written: the patient must never be asked to sign them.</summary>
    private async System.Threading.Tasks.Task WithdrawAsync(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) return;
        await using var db = await portal.CreateDbContextAsync();
        var rows = await db.AnchorConfirmations.Where(c => ids.Contains(c.Id)).ToListAsync();
        foreach (var row in rows)
        {
            row.Status = AnchorStatus.Withdrawn;
            row.WithdrawnAt = clock.GetUtcNow();
        }
        await db.SaveChangesAsync();
    }

    private Bundle Response(Bundle.BundleType type, IReadOnlyList<Entry> entries) => new()
    {
        Type = type,
        Timestamp = clock.GetUtcNow(),
        Entry = [.. entries.Select(e => new Bundle.EntryComponent
        {
            FullUrl = e.FullUrl,
            Response = e.Refused is { } r
                ? new Bundle.ResponseComponent { Status = StatusText(r.Status), Outcome = Outcome(r.Code, r.Message, $"Bundle.entry[{e.Index}]") }
                : new Bundle.ResponseComponent
                {
                    Status = e.Existing ? "200 OK" : "201 Created",
                    Location = "DiagnosticReport/" + e.RecordId,
                    Outcome = Outcome(OperationOutcome.IssueType.Informational,
                        e.Existing ? "Posted before: nothing was created again." : "Stored; waiting for the patient's co-signature before it is anchored.",
                        $"Bundle.entry[{e.Index}]", OperationOutcome.IssueSeverity.Information),
                },
        })],
    };

    private static IngestAnswer TransactionRefused(IReadOnlyList<Entry> entries)
    {
        var refused = entries.Where(e => e.Refused is not null).ToList();
        var outcome = new OperationOutcome
        {
            Issue = [.. refused.Select(e => new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error, Code = e.Refused!.Code, Diagnostics = e.Refused.Message, Expression = [$"Bundle.entry[{e.Index}]"],
            })],
        };
        // A transaction is all or nothing: one status for the whole, the most telling one (a conflict over a bad value).
        var status = refused.Any(e => e.Refused!.Status == 409) ? 409 : refused.Max(e => e.Refused!.Status) >= 500 ? 503 : refused.Any(e => e.Refused!.Status == 400) ? 400 : 422;
        return new IngestAnswer(status, outcome);
    }

    public static IngestAnswer Problem(int status, OperationOutcome.IssueType code, string message) => new(status, Outcome(code, message, null));

    private static OperationOutcome Outcome(OperationOutcome.IssueType code, string message, string? expression,
        OperationOutcome.IssueSeverity severity = OperationOutcome.IssueSeverity.Error) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = severity, Code = code, Diagnostics = message, Expression = expression is null ? [] : [expression] }],
    };

    private static string StatusText(int status) => status switch
    {
        400 => "400 Bad Request",
        404 => "404 Not Found",
        405 => "405 Method Not Allowed",
        409 => "409 Conflict",
        503 => "503 Service Unavailable",
        _ => "422 Unprocessable Entity",
    };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    private static string Trim(string text, int max) => text.Length > max ? text[..max] : text;
}
