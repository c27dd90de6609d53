using System.Text;
using System.Text.Json;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace HealthPortal.Features.Access;

/// <summary>The ledger node that observed (recorded) the accesses: the AuditEvent's source.</summary>
public sealed record LedgerObserver(string NodeId, string Name, string ChainId);

/// <summary>
/// Maps access.log entries to FHIR R4 AuditEvents (one per entry, in a collection Bundle): a RESTful read (type
/// <c>rest</c>, subtype <c>read</c>, action R, outcome success) by the facility (its ledger node id) and the staff
/// pseudonym, observed by this ledger node, about the patient (MPI identifier) and each record read. The purpose is the
/// grant's (a v3 ActReason code when it is one, else text); a break-glass read is ETREAT plus BTG coded with the ledger's
/// reason code (<see cref="BreakGlassReasonSystem"/>), its text the staff member's words when this node holds them.
/// </summary>
public static class AccessAuditEvents
{
    public const string NodeSystem = "urn:healthportal:ledger-node";
    public const string StaffSystem = "urn:healthportal:staff-pseudonym";
    public const string MpiSystem = "urn:healthportal:mpi";
    public const string RecordSystem = "urn:healthportal:record";
    public const string TransactionSystem = "urn:healthportal:ledger-tx";
    /// <summary>The ledger's break-glass reason codes (<c>BreakGlassReasons</c>).</summary>
    public const string BreakGlassReasonSystem = "urn:healthportal:break-glass-reason";

    private const string AuditEventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private const string RestfulInteraction = "http://hl7.org/fhir/restful-interaction";
    private const string EntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private const string ObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
    private const string SourceType = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public const string ActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    /// <summary>
    /// The portal's own purposes (<c>GrantPurposes</c> and the interop reads' <c>treatment</c>/<c>emergency</c>) as v3
    /// ActReason codes: referral and second opinion are treatment purposes; an insurance claim is healthcare payment.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> PortalPurposes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["treatment"] = "TREAT",
        ["referral"] = "TREAT",
        ["second-opinion"] = "TREAT",
        ["insurance"] = "HPAYMT",
        ["emergency"] = "ETREAT",
    };

    /// <summary>Purposes of use a grant may name by their v3 ActReason code, with the code system's display.</summary>
    private static readonly IReadOnlyDictionary<string, string> PurposeCodes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["TREAT"] = "treatment",
        ["ETREAT"] = "Emergency Treatment",
        ["CAREMGT"] = "care management",
        ["HPAYMT"] = "healthcare payment",
        ["HOPERAT"] = "healthcare operations",
        ["PATRQT"] = "patient requested",
        ["PUBHLTH"] = "public health",
        ["HRESCH"] = "healthcare research",
    };


    public static Bundle Bundle(string mpi, IEnumerable<AccessView> accesses, LedgerObserver observer, DateTimeOffset now)
    {
        var bundle = new Bundle { Id = Guid.NewGuid().ToString("D"), Type = Hl7.Fhir.Model.Bundle.BundleType.Collection, Timestamp = now };
        foreach (var access in accesses)
        {
            var audit = AuditEvent(mpi, access, observer);
            bundle.Entry.Add(new Hl7.Fhir.Model.Bundle.EntryComponent { FullUrl = "urn:uuid:" + UuidOf(access.TxId), Resource = audit });
        }
        return bundle;
    }

    public static AuditEvent AuditEvent(string mpi, AccessView access, LedgerObserver observer)
    {
        var audit = new AuditEvent
        {
            Id = ResourceIdOf(access.TxId),
            Type = new Coding(AuditEventType, "rest", "RESTful Operation"),
            Subtype = [new Coding(RestfulInteraction, "read", "read")],
            Action = Hl7.Fhir.Model.AuditEvent.AuditEventAction.R,
            Recorded = access.At,
            Outcome = Hl7.Fhir.Model.AuditEvent.AuditEventOutcome.N0,
            PurposeOfEvent = PurposeOf(access),
            Agent =
            [
                new Hl7.Fhir.Model.AuditEvent.AgentComponent
                {
                    Who = new ResourceReference { Identifier = new Identifier(NodeSystem, access.FacilityId), Display = access.FacilityName },
                    Name = access.FacilityName,
                    Requestor = false,
                },
                new Hl7.Fhir.Model.AuditEvent.AgentComponent
                {
                    Who = new ResourceReference { Identifier = new Identifier(StaffSystem, access.Staff), Display = $"Staff {access.Staff} of {access.FacilityName}" },
                    AltId = access.Staff,
                    Requestor = true,
                },
            ],
            Source = new Hl7.Fhir.Model.AuditEvent.SourceComponent
            {
                Site = observer.ChainId,
                Observer = new ResourceReference { Identifier = new Identifier(NodeSystem, observer.NodeId), Display = observer.Name },
                Type = [new Coding(SourceType, "4", "Application Server")],
            },
        };
        audit.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
        {
            What = new ResourceReference { Identifier = new Identifier(MpiSystem, mpi) },
            Type = new Coding(EntityType, "1", "Person"),
            Role = new Coding(ObjectRole, "1", "Patient"),
        });
        foreach (var record in access.Records)
        {
            audit.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
            {
                What = new ResourceReference { Identifier = new Identifier(RecordSystem, record.Reference) },
                Type = new Coding(EntityType, "2", "System Object"),
                Role = new Coding(ObjectRole, "4", "Domain Resource"),
                Name = record.Kind is { } kind ? RecordKinds.SingularLabel(kind) : null,
                Description = DescribeRecord(record),
            });
        }
        audit.Entity.Add(new Hl7.Fhir.Model.AuditEvent.EntityComponent
        {
            What = new ResourceReference { Identifier = new Identifier(TransactionSystem, access.TxId) },
            Type = new Coding(EntityType, "2", "System Object"),
            Description = $"access.log transaction on the ledger, block {access.Height}, index {access.Index}",
        });
        return audit;
    }

    public static string Serialize(Bundle bundle) => FhirJson.Serialize(bundle);

    private static List<CodeableConcept> PurposeOf(AccessView access)
    {
        if (access.BreakGlassCode is { } reasonCode)
        {
            var label = LedgerCodeLabels.BreakGlass(reasonCode, System.Globalization.CultureInfo.InvariantCulture); // exported data: English whatever the reader's language
            return
            [
                new CodeableConcept(ActReason, "ETREAT", "Emergency Treatment", access.Purpose),
                new CodeableConcept
                {
                    Coding = [new Coding(ActReason, "BTG", "break the glass"), new Coding(BreakGlassReasonSystem, reasonCode, label)],
                    Text = access.BreakGlassText ?? label,
                },
            ];
        }
        return access.Grant is { } grant ? [PurposeOfUse(grant.Purpose, grant.PurposeText)] : [PurposeOfUse(access.Purpose)];
    }

    /// <summary>
    /// A ledger purpose as a purpose of use: its ActReason code where it has one (the portal's codes or a v3 code itself),
    /// else text; for "other", the patient's words when this portal has them.
    /// </summary>
    public static CodeableConcept PurposeOfUse(string purpose, string? otherText = null)
    {
        var trimmed = purpose.Trim();
        var code = PortalPurposes.TryGetValue(trimmed, out var mapped) ? mapped : trimmed.ToUpperInvariant();
        return PurposeCodes.TryGetValue(code, out var display)
            ? new CodeableConcept(ActReason, code, display, purpose)
            : new CodeableConcept { Text = GrantPurposes.Label(purpose, otherText) };
    }

    private static string DescribeRecord(AccessedRecord record)
    {
        var text = new StringBuilder(record.Kind is { } kind ? RecordKinds.SingularLabel(kind) : "Record " + record.RecordId);
        if (record.Date is { } date) text.Append(" of ").Append(date);
        text.Append(" at ").Append(record.FacilityName);
        return text.ToString();
    }

    // FHIR ids allow [A-Za-z0-9-.] up to 64 characters: the transaction id's 32 bytes in hex fit exactly.
    private static string ResourceIdOf(string txId) => Convert.ToHexStringLower(Base64Url.Decode(txId));

    private static string UuidOf(string txId) => new Guid(Base64Url.Decode(txId).AsSpan(0, 16)).ToString("D");
}
