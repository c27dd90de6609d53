using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Interop;

/// <summary>
/// The FHIR side of the interop API: its JSON (Firely's System.Text.Json converters, the serializer the content hash
/// is taken over), the CapabilityStatement, OperationOutcomes and the $everything Bundle.
/// </summary>
public static class InteropFhir
{
    public const string ContentType = "application/fhir+json";

    /// <summary>Each Bundle entry carries its ledger anchor and read basis here; the resource itself is left exactly as served (it is hashed).</summary>
    public const string AnchorExtension = "https://healthportal.test/fhir/StructureDefinition/ledger-anchor";

    public const string IntegrityHeader = "HP-Integrity";
    public const string BasisHeader = "HP-Access-Basis";
    public const string AccessLogHeader = "HP-Access-Log";

    public static string BasisCode(AccessBasis basis) => basis switch { AccessBasis.Own => "own", AccessBasis.Grant => "grant", _ => "break-glass" };

    /// <summary>Tags an $everything Bundle with what allowed the read ("grant", "break-glass", or "none": the caller's own records only).</summary>
    public const string AccessBasisSystem = "https://healthportal.test/fhir/CodeSystem/access-basis";

    public static JsonSerializerOptions Options => FhirJson.Options;

    public static string Serialize(Resource resource) => FhirJson.Serialize(resource);

    /// <summary>Parses FHIR JSON; null (never an exception) for anything that is not a FHIR resource.</summary>
    public static Resource? TryParse(string json) => FhirJson.TryParse(json);

    /// <summary>
    /// The interop id of a record: its anchor transaction's id with '_' written as '.', so that it is a valid FHIR id
    /// ([A-Za-z0-9-.]{1,64}) and unique across facilities, and maps back to the anchor without any table.
    /// </summary>
    public static string InteropId(RecordEntry anchor) => anchor.TxId.Replace('_', '.');

    public static bool TryAnchorTxId(string interopId, out byte[] txId)
    {
        txId = [];
        return interopId.Length == 43 && !interopId.Contains('_') && Base64Url.TryDecode(interopId.Replace('.', '_'), out txId) && txId.Length == 32;
    }

    /// <summary>The anchored record an interop id names, from <paramref name="ledger"/>; null when it names none.</summary>
    public static RecordEntry? AnchorOf(HealthPortal.Ledger.Reading.LedgerReader ledger, string interopId)
        => TryAnchorTxId(interopId, out var txId) ? ledger.RecordAnchoredBy(txId) : null;

    /// <summary>The resource type an anchor's link names (<see cref="RecordLink"/>).</summary>
    public static string ResourceTypeOf(RecordEntry anchor) => RecordLink.ResourceTypeOf(anchor.Link);

    public static OperationOutcome Outcome(OperationOutcome.IssueType code, string message, OperationOutcome.IssueSeverity severity = OperationOutcome.IssueSeverity.Error) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = severity, Code = code, Diagnostics = message }],
    };

    public static InteropResponse Error(int status, OperationOutcome.IssueType code, string message, IReadOnlyDictionary<string, string>? headers = null)
        => new(status, Outcome(code, message), headers);

    public static CapabilityStatement Capability(string baseUrl) => new()
    {
        Status = PublicationStatus.Active,
        Date = "2026-11-24",
        Kind = CapabilityStatementKind.Instance,
        Software = new CapabilityStatement.SoftwareComponent { Name = "HealthPortal interop API" },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "HealthPortal facility node", Url = baseUrl },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [ContentType],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Documentation = "Facility nodes only: every request but this one is signed with the facility's ledger key " +
                    $"({InteropSignature.Scheme}: headers {InteropSignature.FacilityHeader}, {InteropSignature.TimestampHeader}, {InteropSignature.NonceHeader}, " +
                    $"{InteropSignature.StaffHeader}, {InteropSignature.PurposeHeader}, optional {InteropSignature.BreakGlassHeader}, {InteropSignature.SignatureHeader}). " +
                    "Records of other facilities are served under an active grant of the patient or an emergency session, and each read is logged on the ledger first.",
                Resource =
                [
                    Readable("Patient", "$everything: every record of the patient the caller may read"),
                    Readable("Encounter"), Readable("Condition"), Readable("MedicationRequest"), Readable("Observation"),
                    Readable("DiagnosticReport"), Readable("DocumentReference"), Readable("AllergyIntolerance"),
                ],
                Operation = [new CapabilityStatement.OperationComponent { Name = "everything", Definition = "http://hl7.org/fhir/OperationDefinition/Patient-everything" }],
            },
        ],
    };

    private static CapabilityStatement.ResourceComponent Readable(string type, string? documentation = null) => new()
    {
        Type = type,
        Documentation = documentation,
        Interaction = type == "Patient" ? [] : [new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read }],
    };

    public static Bundle Everything(InteropRead read, string baseUrl)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = read.Records.Count, Timestamp = DateTimeOffset.UtcNow };
        bundle.Meta = new Meta { Tag = [new Coding(AccessBasisSystem, read.Basis)] };
        foreach (var shared in read.Records)
        {
            var anchor = shared.Anchor;
            var entry = new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/{ResourceTypeOf(anchor)}/{InteropId(anchor)}",
                // Only verified content is passed on: an altered record is never presented as trustworthy.
                Resource = shared.Verified.Integrity == RecordIntegrity.Verified ? shared.Verified.Record!.Fhir : null,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            };
            var ext = new Extension { Url = AnchorExtension };
            ext.AddExtension("facility", new FhirString(anchor.Facility));
            ext.AddExtension("record", new FhirString(anchor.RecordId));
            ext.AddExtension("kind", new Code(anchor.Category));
            ext.AddExtension("date", new FhirString(anchor.Date));
            ext.AddExtension("hash", new FhirString(anchor.Hash));
            ext.AddExtension("anchorTx", new FhirString(anchor.TxId));
            ext.AddExtension("integrity", new Code(shared.Verified.Integrity.ToString().ToLowerInvariant()));
            ext.AddExtension("basis", new Code(BasisCode(shared.Basis)));
            if (shared.AccessTx is not null) ext.AddExtension("accessTx", new FhirString(shared.AccessTx));
            if (shared.Verified.Problem is not null) ext.AddExtension("problem", new FhirString(shared.Verified.Problem));
            entry.Extension.Add(ext);
            bundle.Entry.Add(entry);
        }
        return bundle;
    }
}
