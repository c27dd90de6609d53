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
public sealed class PatientRecordExport(PatientRecords records, LedgerHost ledger, TimeProvider clock)
{
    public const string TransactionSystem = "urn:healthportal:ledger:tx";
    public const string NodeSystem = "urn:healthportal:ledger:node";


    public static string FileName(string? mpi) => $"health-records-{mpi ?? "none"}.json";

    public static string ToJson(Bundle bundle) => JsonSerializer.Serialize(bundle, FhirJson.Indented);

    public async Task<(Bundle Bundle, string? Mpi)> BundleAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        var timeline = await records.TimelineAsync(patient, ct);
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Identifier = new Identifier("urn:ietf:rfc:3986", Urn()),
            Timestamp = clock.GetUtcNow(),
        };

        var notIncluded = new OperationOutcome();
        foreach (var entry in timeline.Entries)
        {
            if (entry.Integrity == RecordIntegrity.Verified)
            {
                // The anchor came from this ledger's committed records, so its transaction has a receipt.
                var receipt = ledger.Engine.GetReceipt(entry.TxId) ?? throw new InvalidOperationException($"anchor {entry.TxId} has no receipt");
                var recordUrl = Urn();
                bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = recordUrl, Resource = entry.Verified.Record!.Fhir });
                bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = ProvenanceOf(entry, recordUrl, receipt.ToJsonString()) });
            }
            else
            {
                notIncluded.Issue.Add(NotIncluded(entry));
            }
        }
        if (notIncluded.Issue.Count > 0) bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = notIncluded });
        return (bundle, timeline.Mpi);
    }

    private static Provenance ProvenanceOf(TimelineEntry entry, string recordUrl, string receiptJson)
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
