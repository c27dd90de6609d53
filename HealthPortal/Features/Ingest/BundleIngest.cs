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
using HealthPortal.Features.Ehr.Clinic;
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

    /// <summary>
    /// Transactions waiting in the ledger's mempool at which Bundles are answered 429 (the ledger's own Busy point by
    /// default, <c>HealthPortal:Ledger:MempoolCapacity</c>'s default): the records would only pile up behind it.
    /// </summary>
    [Range(0, 10_000_000)] public int BusyAtPendingTransactions { get; set; } = 20_000;

    /// <summary>The <c>Retry-After</c> of a 429.</summary>
    [Range(1, 3600)] public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>
/// The HTTP answer to a posted Bundle: a status and a FHIR resource (a response Bundle or an OperationOutcome), and for
/// a 429 the seconds to put in <c>Retry-After</c>.
/// </summary>
public sealed record IngestAnswer(int Status, Resource Body)
{
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>
/// A facility system's <c>batch</c> or <c>transaction</c> Bundle (issue 17): every entry is parsed by Firely's strict
/// deserializer, mapped to the facility's native store, all of them written in one store transaction, and turned into
/// facility-signed <c>record.anchor</c>s waiting for each patient's co-signature (one confirmation per patient of the
/// Bundle). A refused entry gets its own OperationOutcome; a batch keeps the good ones, a transaction writes nothing
/// unless every entry is good. Record ids are derived from the facility and the entry's <c>fullUrl</c> (else the
/// Bundle's identifier and the entry's position), so posting the same Bundle again creates nothing twice.
/// Laboratories take lab results (<see cref="LabBundleFormat"/>), hospitals encounters with their diagnoses,
/// prescriptions, allergies and notes (<see cref="HospitalBundleFormat"/>), clinics visits with their note, vital signs
/// and allergies (<see cref="ClinicBundleFormat"/>).
/// </summary>
public sealed class BundleIngest(
    EhrStores stores, LedgerHost ledger, AnchorWorkflow workflow, IDbContextFactory<ApplicationDbContext> portal, TimeProvider clock,
    IOptions<IngestOptions> options, ILogger<BundleIngest> logger)
{
    public IngestOptions Limits => options.Value;

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
        BundleFormat? format = store switch
        {
            LaboratoryStore lab => new LabBundleFormat(lab, ledger.Reader, client),
            HospitalStore hospital => new HospitalBundleFormat(hospital, ledger.Reader, client),
            ClinicStore clinic => new ClinicBundleFormat(clinic, ledger.Reader, client),
            _ => null,
        };
        if (format is null)
            return Problem(422, OperationOutcome.IssueType.NotSupported,
                $"The {store.Kind.ToString().ToLowerInvariant()} record format does not take pushed records; laboratories, hospitals and clinics do.");

        var now = clock.GetUtcNow().UtcDateTime;
        var entries = new List<BundleEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var entry = new BundleEntry(i);
            entries.Add(entry);
            if (items[i] is not JsonObject item)
            {
                entry.Refused = new(400, OperationOutcome.IssueType.Structure, "The entry is not a JSON object.");
                continue;
            }
            entry.FullUrl = item["fullUrl"]?.GetValueKind() == JsonValueKind.String ? (string?)item["fullUrl"] : null;
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
            try
            {
                entry.Resource = FhirJson.Deserialize(resourceJson);
            }
            catch (Exception e) when (e is JsonException or DeserializationFailedException or FormatException or NotSupportedException)
            {
                entry.Refused = new(400, OperationOutcome.IssueType.Structure, "Not valid FHIR R4: " + FirstLine(e.Message));
                continue;
            }
            if (format.PrefixOf(entry.Resource) is not { } prefix)
            {
                entry.Refused = new(422, OperationOutcome.IssueType.NotSupported, format.Takes(entry.Resource.TypeName));
                continue;
            }
            var key = entry.FullUrl ?? (bundleKey is null ? null : $"{bundleKey}#{i}");
            entry.RecordId = key is null ? EhrIds.New(prefix) : DerivedId(client.FacilityId, key, prefix);
            if (!seen.Add(entry.RecordId))
                entry.Refused = new(409, OperationOutcome.IssueType.Duplicate, $"The Bundle lists the record {entry.FullUrl ?? "#" + i} twice.");
        }
        format.Map(entries, now);

        // A saturated ledger is not given more work: nothing is written, and the system is told when to try again.
        // Checked before the store is touched, so a refused Bundle leaves neither rows nor confirmations behind.
        var pending = ledger.Engine.Pending;
        if (pending >= Limits.BusyAtPendingTransactions)
        {
            logger.LogWarning("Bundle of API client {Client} refused: {Pending} transactions wait for the ledger (limit {Limit})", client.Id, pending, Limits.BusyAtPendingTransactions);
            return Problem(429, OperationOutcome.IssueType.Transient,
                $"The ledger is busy ({pending:N0} transactions are waiting); nothing was written. Post the Bundle again in {Limits.RetryAfterSeconds} s.") with { RetryAfterSeconds = Limits.RetryAfterSeconds };
        }

        // One writer of the facility's store at a time from here to the commit, Bundles and staff's form saves alike
        // (EhrWriteGate): two posts of the same Bundle (a client retrying after a timeout) must find each other's records
        // rather than both insert them, and SQLite takes one writer anyway. The body was read whole before this method
        // was called, so a slow client never holds this turn or the transaction.
        using var turn = await stores.Writes.EnterAsync(store.FacilityId, ct);
        await using var db = format.Open();
        // Posted before: the same derived id is in the store already (with its confirmation, made in the same step).
        var stored = await format.StoredAsync(entries.Where(e => e.Refused is null).Select(e => e.RecordId).ToList(), ct);
        foreach (var entry in entries.Where(e => e.Refused is null && stored.ContainsKey(e.RecordId)))
        {
            if (stored[entry.RecordId] != entry.Mpi)
                entry.Refused = new(409, OperationOutcome.IssueType.Duplicate, $"Record {entry.RecordId} was posted before for another patient; a posted record is never changed.");
            else entry.Existing = true;
        }
        format.AfterExisting(entries);

        if (isTransaction && entries.Any(e => e.Refused is not null))
            return TransactionRefused(entries);

        var fresh = entries.Where(e => e.Refused is null && !e.Existing).ToList();
        var prepared = new List<string>();
        if (fresh.Count > 0)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await format.AddAsync(fresh, ct);
            await db.SaveChangesAsync(ct);

            // The store transaction stays open while the facility signs the anchors: a record is either written and
            // waiting for its patient, or not written at all.
            foreach (var group in fresh.GroupBy(e => e.Mpi))
            {
                var records = group.Select(format.RecordOf).OfType<EhrRecord>().ToList();
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
                foreach (var entry in group) entry.Refused = refusal;
                format.Remove(group.ToList());
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

    /// <summary>
    /// The record id of an entry posted by a facility: the format's table prefix and a hash of the facility and the
    /// entry's key, so the same entry posted twice names the same record, and two facilities never collide.
    /// </summary>
    public static string DerivedId(string facilityId, string key, string prefix = "lab") =>
        prefix + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(facilityId + "\n" + key)))[..32];

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

    private Bundle Response(Bundle.BundleType type, IReadOnlyList<BundleEntry> entries) => new()
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
                    Location = e.Location,
                    Outcome = Outcome(OperationOutcome.IssueType.Informational,
                        e.Existing ? "Posted before: nothing was created again." : "Stored; waiting for the patient's co-signature before it is anchored.",
                        $"Bundle.entry[{e.Index}]", OperationOutcome.IssueSeverity.Information),
                },
        })],
    };

    private static IngestAnswer TransactionRefused(IReadOnlyList<BundleEntry> entries)
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
