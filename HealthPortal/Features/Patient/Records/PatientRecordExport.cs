using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace HealthPortal.Features.Patient.Records;

/// <summary>
/// "Download all my records": one FHIR R4 <c>collection</c> Bundle (a document would need a Composition the
/// facilities never wrote). Each Verified record is included exactly as its facility serves it, so its hash can be
/// recomputed from the file, followed by a <see cref="Provenance"/> that targets it and carries the ledger receipt
/// of its anchor. Altered and Unavailable records are not included as content: one <see cref="OperationOutcome"/>
/// names each of them with its transaction, so nothing is silently missing and nothing untrusted looks trusted.
/// </summary>
/// <remarks>
/// Why Provenance: it is the base R4 resource for "where this resource came from and who vouches for it". Its
/// <c>signature</c> (a Signature with sigFormat <c>application/json</c>) holds the receipt byte for byte: the
/// anchor transaction with the facility's and the patient's signatures over the content hash, the block header and
/// the Merkle inclusion proof, which <c>receipt verify</c> checks offline once decoded. Its <c>entity</c> names the
/// transaction id and block, so they can be read without decoding. No profile or extension is needed, so the
/// Bundle validates against base R4 alone.
/// </remarks>
/// <remarks>
/// Streamed (issue 17: a patient with a thousand records): the records are verified <see cref="TimelineVerification.Batch"/>
/// at a time in timeline order, and each batch's entries are written to the output and let go before the next batch is
/// fetched, so at most one batch of resources is in memory, never the whole Bundle and its text besides.
/// </remarks>
public sealed class PatientRecordExport(PatientRecords records, RecordVerifier verifier, LedgerHost ledger, TimeProvider clock)
{
    public const string TransactionSystem = "urn:healthportal:ledger:tx";
    public const string NodeSystem = "urn:healthportal:ledger:node";

    public const string ContentType = "application/fhir+json";

    public static string FileName(string? mpi) => $"health-records-{mpi ?? "none"}.json";

    /// <summary>The caller's own records, listed from the ledger (what <see cref="WriteAsync"/> writes; the file is named after its MPI number).</summary>
    public System.Threading.Tasks.Task<TimelineIndex> IndexAsync(ClaimsPrincipal patient, CancellationToken ct = default) => records.IndexAsync(patient, ct);

    /// <summary>
    /// Writes the collection Bundle of <paramref name="index"/>'s records to <paramref name="output"/> as UTF-8 FHIR JSON,
    /// one batch of records at a time (each verified now, from its store's current bytes), flushing after each batch.
    /// </summary>
    public async System.Threading.Tasks.Task WriteAsync(TimelineIndex index, Stream output, CancellationToken ct = default)
    {
        // The writer fills a buffer that is copied to the output asynchronously (a response body refuses synchronous
        // writes, and JsonSerializer flushes its writer synchronously), a few tens of kilobytes at a time.
        var buffer = new ArrayBufferWriter<byte>(BufferSize);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("resourceType", "Bundle");
        json.WriteStartObject("identifier");
        json.WriteString("system", "urn:ietf:rfc:3986");
        json.WriteString("value", Urn());
        json.WriteEndObject();
        json.WriteString("type", "collection");
        json.WriteString("timestamp", clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        json.WriteStartArray("entry");

        var notIncluded = new OperationOutcome();
        foreach (var batch in index.Anchors.Chunk(TimelineVerification.Batch))
        {
            foreach (var verified in await verifier.VerifyManyAsync(batch, ct))
            {
                var entry = index.Entry(verified);
                if (entry.Integrity != RecordIntegrity.Verified)
                {
                    notIncluded.Issue.Add(NotIncluded(entry));
                    continue;
                }
                // The anchor came from this ledger's committed records, so its transaction has a receipt.
                var receipt = ledger.Engine.GetReceipt(entry.TxId) ?? throw new InvalidOperationException($"anchor {entry.TxId} has no receipt");
                var recordUrl = Urn();
                WriteEntry(json, recordUrl, verified.Record!.Fhir);
                WriteEntry(json, Urn(), ProvenanceOf(entry, recordUrl, receipt.ToJsonString()));
                if (buffer.WrittenCount > BufferSize) await DrainAsync(json, buffer, output, ct);
            }
            await DrainAsync(json, buffer, output, ct);
            await output.FlushAsync(ct);
        }
        if (notIncluded.Issue.Count > 0) WriteEntry(json, Urn(), notIncluded);

        json.WriteEndArray();
        json.WriteEndObject();
        await DrainAsync(json, buffer, output, ct);
        await output.FlushAsync(ct);
    }

    private const int BufferSize = 1 << 16;

    private static async System.Threading.Tasks.Task DrainAsync(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, Stream output, CancellationToken ct)
    {
        json.Flush();
        await output.WriteAsync(buffer.WrittenMemory, ct);
        buffer.ResetWrittenCount();
    }

    /// <summary>The whole export in memory, for tests and small callers; the download itself streams (<see cref="WriteAsync"/>).</summary>
    public async System.Threading.Tasks.Task<(string Json, string? Mpi)> JsonAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        var index = await IndexAsync(patient, ct);
        using var buffer = new MemoryStream();
        await WriteAsync(index, buffer, ct);
        return (System.Text.Encoding.UTF8.GetString(buffer.ToArray()), index.Mpi);
    }

    private static void WriteEntry(Utf8JsonWriter json, string fullUrl, Resource resource)
    {
        json.WriteStartObject();
        json.WriteString("fullUrl", fullUrl);
        json.WritePropertyName("resource");
        // Firely's converter per resource, into the same writer: the one FHIR serializer (FhirJson), never a whole Bundle.
        JsonSerializer.Serialize(json, resource, FhirJson.Indented);
        json.WriteEndObject();
    }

    /// <summary>The Provenance that follows a record in the export: its facility, its anchor and the receipt byte for byte.</summary>
    public static Provenance ProvenanceOf(TimelineEntry entry, string recordUrl, string receiptJson)
    {
        var facility = new ResourceReference
        {
            Identifier = new Identifier(NodeSystem, entry.Anchor.Facility),
            Display = entry.FacilityName,
        };
        return new Provenance
        {
            Target = [new ResourceReference(recordUrl)],
            Recorded = entry.AnchoredAt,
            Agent =
            [
                new Provenance.AgentComponent
                {
                    Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "custodian", "Custodian"),
                    Who = facility,
                },
            ],
            Entity =
            [
                new Provenance.EntityComponent
                {
                    Role = Provenance.ProvenanceEntityRole.Source,
                    What = new ResourceReference
                    {
                        Identifier = new Identifier(TransactionSystem, entry.TxId),
                        Display = $"record.anchor in block {entry.Anchor.Height}, hash {entry.Anchor.Hash}",
                    },
                },
            ],
            Signature =
            [
                new Signature
                {
                    Type = [new Coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.5", "Verification Signature")],
                    When = entry.AnchoredAt,
                    Who = facility,
                    TargetFormat = "application/fhir+json",
                    SigFormat = "application/json",
                    Data = System.Text.Encoding.UTF8.GetBytes(receiptJson),
                },
            ],
        };
    }

    private static OperationOutcome.IssueComponent NotIncluded(TimelineEntry entry)
    {
        var what = $"{RecordKinds.SingularLabel(entry.Kind)} of {entry.Anchor.Date} from {entry.FacilityName} (ledger transaction {entry.TxId}, block {entry.Anchor.Height})";
        return entry.Integrity switch
        {
            RecordIntegrity.Unavailable => new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Warning,
                Code = OperationOutcome.IssueType.Transient,
                Diagnostics = $"Not included: {what}. The facility's records could not be reached; try again later.",
            },
            _ => new OperationOutcome.IssueComponent // Altered: changed or gone
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = OperationOutcome.IssueType.Conflict,
                Diagnostics = $"Not included: {what}. Altered since anchored: {entry.Verified.Problem}.",
            },
        };
    }

    private static string Urn() => "urn:uuid:" + Guid.NewGuid().ToString("D");
}
