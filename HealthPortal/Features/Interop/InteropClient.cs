using HealthPortal.Features.BreakGlass;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Patients;

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

/// <summary>
/// A remote node answers over its FHIR endpoint; <paramref name="http"/>'s base address is the node's origin. A node
/// that cannot be reached (refused connection, timeout of <paramref name="http"/>) is an answer, 503 with
/// <see cref="UnreachableHeader"/>, so the caller can show that node's records as Unavailable rather than fail.
/// </summary>
public sealed class HttpInteropTransport(HttpClient http) : IInteropTransport
{
    /// <summary>Set on the 503 this transport makes up when the node did not answer at all (never sent by a node).</summary>
    public const string UnreachableHeader = "X-HP-Unreachable";

    public async Task<InteropResponse> SendAsync(InteropRequest request, CancellationToken ct = default)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Target);
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(InteropFhir.ContentType));
        try
        {
            using var response = await http.SendAsync(message, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            headers.Remove(UnreachableHeader);
            var resource = InteropFhir.TryParse(body)
                ?? InteropFhir.Outcome(OperationOutcome.IssueType.Exception, $"the node answered {(int)response.StatusCode} without a FHIR resource");
            return new InteropResponse((int)response.StatusCode, resource, headers);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return InteropFhir.Error(503, OperationOutcome.IssueType.Transient, $"the node at {http.BaseAddress} cannot be reached: {e.Message}",
                new Dictionary<string, string> { [UnreachableHeader] = "true" });
        }
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
    FacilityAuditTrail audit, TimeProvider clock, ILogger<InteropClient> logger, InteropRoutes? routes = null)
{
    public const string TreatmentPurpose = "treatment";
    public const string EmergencyPurpose = "emergency";

    public async Task<InteropClientResult> EverythingAsync(string userId, string mpi, string purpose, string? breakGlassSession, CancellationToken ct = default)
    {
        var target = $"/fhir/r4/Patient/{mpi}/$everything";
        if (routes is not { IsConsortium: true }) return EverythingOf(await SendAsync(userId, target, purpose, breakGlassSession, transport, ct));

        // A consortium: each node answers for the records it holds (grant checked and access.log committed there), so
        // the read goes to every node holding one of the patient's anchors on this replica, and the answers are merged.
        var anchors = MpiNumber.TryParse(mpi, out var canonical, out _) ? ledger.Reader.RecordsOf(canonical) : [];
        var byNode = new Dictionary<string, (NodeLocation Location, List<HealthPortal.Ledger.State.RecordEntry> Anchors)>();
        foreach (var anchor in anchors)
        {
            var location = await routes.LocateAsync(anchor.Facility, ct);
            var key = location.IsRemote ? location.BaseUrl!.ToString() : location.Kind.ToString();
            if (!byNode.TryGetValue(key, out var group)) byNode[key] = group = (location, []);
            group.Anchors.Add(anchor);
        }
        // Nobody holds anything yet (or only this node): this node answers, with the same refusals as embedded.
        if (byNode.Values.All(g => g.Location.IsLocal)) return EverythingOf(await SendAsync(userId, target, purpose, breakGlassSession, transport, ct));

        var asked = byNode.Values.Where(g => g.Location.Kind != NodeLocationKind.Unknown).ToList();
        var answers = await System.Threading.Tasks.Task.WhenAll(asked.Select(async g =>
            (Group: g, Response: await SendAsync(userId, target, purpose, breakGlassSession, g.Location.IsLocal ? transport : routes.Remote(g.Location.BaseUrl!), ct))));
        var results = answers.Select(a => (a.Group, Result: EverythingOf(a.Response), Unreachable: a.Response.Headers?.ContainsKey(HttpInteropTransport.UnreachableHeader) == true)).ToList();
        // Records whose node is down or unknown are listed from this node's replica as Unavailable: the anchors are
        // public to every member, their content is not returned, and "cannot be reached" is never shown as "altered".
        var missing = results.Where(r => r.Unreachable).SelectMany(r => r.Group.Anchors.Select(a => (Anchor: a, Problem: r.Result.Message)))
            .Concat(byNode.Values.Where(g => g.Location.Kind == NodeLocationKind.Unknown)
                .SelectMany(g => g.Anchors.Select(a => (Anchor: a, Problem: (string?)"no node serving this facility is known to this node"))))
            .Select(m => View(m.Anchor, null, "unavailable", "grant", null, m.Problem)).ToList();
        var ok = results.Where(r => r.Result.IsOk).ToList();
        if (ok.Count == 0)
        {
            var reached = results.FirstOrDefault(r => !r.Unreachable).Result;
            return reached ?? new InteropClientResult(503, missing, results.FirstOrDefault().Result?.Message ?? "no node holding this patient's records can be reached");
        }
        var basis = ok.Select(r => r.Result.Access).ToList();
        return new InteropClientResult(200, [.. ok.SelectMany(r => r.Result.Records), .. missing], null,
            basis.Contains("grant") ? "grant" : basis.Contains("break-glass") ? "break-glass" : basis.FirstOrDefault());
    }

    private InteropClientResult EverythingOf(InteropResponse response)
    {
        if (response is { Status: 200, Resource: Bundle bundle })
            return new(200, [.. bundle.Entry.Select(ViewOf).OfType<SharedRecordView>()], null,
                bundle.Meta?.Tag.FirstOrDefault(t => t.System == InteropFhir.AccessBasisSystem)?.Code);
        return Failure(response);
    }

    public async Task<InteropClientResult> ReadAsync(string userId, string resourceType, string interopId, string purpose, string? breakGlassSession, CancellationToken ct = default)
    {
        // In a consortium the node holding the record answers it; embedded (or not anchored here), this node does.
        var holder = routes is { IsConsortium: true } && InteropFhir.AnchorOf(ledger.Reader, interopId) is { } held ? await routes.LocateAsync(held.Facility, ct) : NodeLocation.Local;
        var via = holder.IsRemote ? routes!.Remote(holder.BaseUrl!) : transport;
        var response = await SendAsync(userId, $"/fhir/r4/{resourceType}/{interopId}", purpose, breakGlassSession, via, ct);
        if (response.Status != 200 || response.Resource is OperationOutcome) return Failure(response);
        var anchor = InteropFhir.AnchorOf(ledger.Reader, interopId);
        if (anchor is null) return new(404, [], "the record's anchor is not on this node's ledger");
        return new(200, [View(anchor, response.Resource, null, response.Headers?.GetValueOrDefault(InteropFhir.BasisHeader) ?? "grant",
            response.Headers?.GetValueOrDefault(InteropFhir.AccessLogHeader), null)], null);
    }

    private async Task<InteropResponse> SendAsync(string userId, string target, string purpose, string? breakGlassSession, IInteropTransport via, CancellationToken ct)
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
        var response = await via.SendAsync(request, ct);
        // A node serving another facility's records asks this one to sign its own access logs first (AccessLogDrafts):
        // each is checked against this read and this node's replica before signing. Twice at most: a second draft means
        // the patient's records or grants changed in between.
        for (var round = 0; round < 2 && response.Status == 428 && response.Headers?.GetValueOrDefault(AccessLogDrafts.DraftHeader) is { } draftHeader; round++)
        {
            var drafts = AccessLogDrafts.Decode(draftHeader);
            var mpi = MpiOf(target);
            var only = OnlyRecordOf(target);
            var problem = drafts is null ? "the drafts are not well formed" : mpi is null ? "the read names no patient"
                : drafts.Select(d => AccessLogDrafts.Problem(d, ledger.Reader, key.Id, pseudonym, mpi, purpose, only, breakGlassSession is not null)).FirstOrDefault(p => p is not null);
            if (problem is not null)
            {
                logger.LogWarning(InteropEvents.ReadDenied, "Interop read: the node answering {Target} asked to sign access logs that do not match the read: {Problem}", target, problem);
                response = InteropFhir.Error(502, OperationOutcome.IssueType.Security, "the answering node asked to sign access logs that do not match this read: " + problem);
                break;
            }
            var signedRequest = InteropSignature.Sign(key, "GET", target, pseudonym, purpose, breakGlassSession, clock);
            request = signedRequest with
            {
                Headers = new Dictionary<string, string>(signedRequest.Headers, StringComparer.OrdinalIgnoreCase)
                {
                    [AccessLogDrafts.SignedHeader] = AccessLogDrafts.Encode(drafts!.Select(d => d.SignWith(key))),
                },
            };
            response = await via.SendAsync(request, ct);
        }
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

    /// <summary>For a single read, the one record ("facility/record") an access log of it may name.</summary>
    private string? OnlyRecordOf(string target) =>
        target.Split('?', 2)[0].Split('/', StringSplitOptions.RemoveEmptyEntries) is ["fhir", "r4", var type, var id] && type != "Patient"
            && InteropFhir.AnchorOf(ledger.Reader, id) is { } anchor ? anchor.Facility + "/" + anchor.RecordId : null;

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
