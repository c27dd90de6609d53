using HealthPortal.Features.BreakGlass;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Pseudonyms;

namespace HealthPortal.Features.Interop;

/// <summary>How a signed interop request reaches the node that answers it: this process, or another node over HTTP.</summary>
public interface IInteropTransport
{
    Task<InteropResponse> SendAsync(InteropRequest request, CancellationToken ct = default);
}

/// <summary>This node answers: the request goes straight to the same handler the HTTP endpoint calls.</summary>
public sealed class InProcessInteropTransport(InteropHandler handler) : IInteropTransport
{
    public Task<InteropResponse> SendAsync(InteropRequest request, CancellationToken ct = default) => handler.HandleAsync(request, ct);
}

/// <summary>A remote node answers over its FHIR endpoint; <paramref name="http"/>'s base address is the node's origin.</summary>
public sealed class HttpInteropTransport(HttpClient http) : IInteropTransport
{
    public async Task<InteropResponse> SendAsync(InteropRequest request, CancellationToken ct = default)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Target);
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(InteropFhir.ContentType));
        using var response = await http.SendAsync(message, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var resource = InteropFhir.TryParse(body)
            ?? InteropFhir.Outcome(OperationOutcome.IssueType.Exception, $"the node answered {(int)response.StatusCode} without a FHIR resource");
        return new InteropResponse((int)response.StatusCode, resource, headers);
    }
}

/// <summary>One record of another facility as the staff page shows it.</summary>
public sealed record SharedRecordView(
    string Facility, string FacilityName, string RecordId, string Kind, string Date, RecordIntegrity Integrity, string Basis,
    string? AccessTx, string ResourceType, string InteropId, Resource? Resource, string? Problem);

/// <param name="Access">For $everything: "grant", "break-glass" or "none" (no grant: only the caller's own records came back).</param>
public sealed record InteropClientResult(int Status, IReadOnlyList<SharedRecordView> Records, string? Message, string? Access = null)
{
    public bool IsOk => Status == 200;
}

/// <summary>
/// The portal's side of the interop API: signs each request as the staff member's facility node (with the staff
/// member's pseudonym) and sends it through <see cref="IInteropTransport"/>, in-process by default. What comes back
/// is checked again against this node's ledger: a resource is Verified only if it hashes to its anchor.
/// <c>HP-Staff</c> is this node's word: the serving node can check its form, not who is behind it. So every call is
/// written to this facility's own audit trail (<see cref="FacilityAuditTrail"/>, kind InteropRead: the account, the
/// pseudonym and nonce it went out with, the target and the answer's status) before anything is returned, and the
/// facility can name the person behind any pseudonym in a patient's access log.
/// </summary>
public sealed class InteropClient(
    IInteropTransport transport, IDbContextFactory<ApplicationDbContext> dbFactory, ServerKeyVault vault, StaffPseudonyms pseudonyms, LedgerHost ledger,
    FacilityAuditTrail audit, TimeProvider clock, ILogger<InteropClient> logger)
{
    public const string TreatmentPurpose = "treatment";
    public const string EmergencyPurpose = "emergency";

    public async Task<InteropClientResult> EverythingAsync(string userId, string mpi, string purpose, string? breakGlassSession, CancellationToken ct = default)
    {
        var response = await SendAsync(userId, $"/fhir/r4/Patient/{mpi}/$everything", purpose, breakGlassSession, ct);
        if (response is { Status: 200, Resource: Bundle bundle })
            return new(200, [.. bundle.Entry.Select(ViewOf).OfType<SharedRecordView>()], null,
                bundle.Meta?.Tag.FirstOrDefault(t => t.System == InteropFhir.AccessBasisSystem)?.Code);
        return Failure(response);
    }

    public async Task<InteropClientResult> ReadAsync(string userId, string resourceType, string interopId, string purpose, string? breakGlassSession, CancellationToken ct = default)
    {
        var response = await SendAsync(userId, $"/fhir/r4/{resourceType}/{interopId}", purpose, breakGlassSession, ct);
        if (response.Status != 200 || response.Resource is OperationOutcome) return Failure(response);
        var anchor = InteropFhir.AnchorOf(ledger.Reader, interopId);
        if (anchor is null) return new(404, [], "the record's anchor is not on this node's ledger");
        return new(200, [View(anchor, response.Resource, null, response.Headers?.GetValueOrDefault(InteropFhir.BasisHeader) ?? "grant",
            response.Headers?.GetValueOrDefault(InteropFhir.AccessLogHeader), null)], null);
    }

    private async Task<InteropResponse> SendAsync(string userId, string target, string purpose, string? breakGlassSession, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facilityId = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.FacilityId).SingleOrDefaultAsync(ct);
        var key = facilityId is null ? null : vault.Find(ServerKeyVault.FacilityNode(facilityId));
        if (key is null)
        {
            // Refused before any node is asked, so the reader never sees it: log the denial here, under the reader's event id.
            logger.LogWarning(InteropEvents.ReadDenied, "Interop read denied (NotStaff): user {User} target {Target} purpose {Purpose}: the user is not staff of a facility whose node key this portal holds",
                userId, target, purpose);
            return InteropFhir.Error(403, OperationOutcome.IssueType.Forbidden, "only staff of a facility with a node key can read other facilities' records");
        }
        var pseudonym = pseudonyms.Of(userId);
        var request = InteropSignature.Sign(key, "GET", target, pseudonym, purpose, breakGlassSession, clock);
        var response = await transport.SendAsync(request, ct);
        // Written whatever the answer, and before the caller sees it: no read this node made goes unattributed.
        await audit.RecordAsync(new FacilityAuditEntry
        {
            Kind = FacilityAuditKind.InteropRead, FacilityId = facilityId!, UserId = userId, StaffPseudonym = pseudonym, Mpi = MpiOf(target),
            Target = target, Nonce = request.Header(InteropSignature.NonceHeader), Status = response.Status,
            Outcome = response.Status == 200 ? FacilityAuditOutcome.Answered : FacilityAuditOutcome.Refused,
        }, CancellationToken.None);
        return response;
    }

    /// <summary>The patient a target concerns: in the path for $everything, through the anchor for a single record.</summary>
    private string? MpiOf(string target)
    {
        var segments = target.Split('?', 2)[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["fhir", "r4", "Patient", var mpi, "$everything"] => mpi,
            ["fhir", "r4", _, var id] => InteropFhir.AnchorOf(ledger.Reader, id)?.Mpi,
            _ => null,
        };
    }

    private static InteropClientResult Failure(InteropResponse response) =>
        new(response.Status, [], response.Resource is OperationOutcome outcome ? outcome.Issue.FirstOrDefault()?.Diagnostics : "unexpected answer");

    private SharedRecordView? ViewOf(Bundle.EntryComponent entry)
    {
        var ext = entry.GetExtension(InteropFhir.AnchorExtension);
        var facility = ext?.GetExtensionValue<FhirString>("facility")?.Value;
        var record = ext?.GetExtensionValue<FhirString>("record")?.Value;
        if (facility is null || record is null) return null;
        // The anchor comes from this node's own ledger, not from what the answer claims.
        var anchor = ledger.Reader.Record(facility, record);
        if (anchor is null) return null;
        var said = ext!.GetExtensionValue<Code>("integrity")?.Value;
        return View(anchor, entry.Resource, said, ext.GetExtensionValue<Code>("basis")?.Value ?? "grant", ext.GetExtensionValue<FhirString>("accessTx")?.Value,
            ext.GetExtensionValue<FhirString>("problem")?.Value);
    }

    private SharedRecordView View(HealthPortal.Ledger.State.RecordEntry anchor, Resource? resource, string? saidIntegrity, string basis, string? accessTx, string? problem)
    {
        var integrity = resource is not null
            ? (RecordHash.Of(resource) == anchor.Hash ? RecordIntegrity.Verified : RecordIntegrity.Altered)
            : saidIntegrity == "unavailable" ? RecordIntegrity.Unavailable : RecordIntegrity.Altered;
        var name = ledger.Reader.Node(anchor.Facility)?.Name ?? anchor.Facility;
        return new SharedRecordView(anchor.Facility, name, anchor.RecordId, anchor.Category, anchor.Date, integrity, basis, accessTx,
            InteropFhir.ResourceTypeOf(anchor), InteropFhir.InteropId(anchor), integrity == RecordIntegrity.Verified ? resource : null, problem);
    }
}
