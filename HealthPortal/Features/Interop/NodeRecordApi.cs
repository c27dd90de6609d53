using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Microsoft.AspNetCore.Http.Features;

namespace HealthPortal.Features.Interop;

/// <summary>
/// A patient's own record for their timeline on another node: <c>GET /node/v1/records/{facility}/{record}</c>, signed
/// by the patient's node (<see cref="NodeRequestSignature"/>) with <c>HP-Patient</c> naming the patient signed in
/// there. The serving node answers only when the caller is an approved node on its replica, the record is anchored
/// on its replica <b>for that patient</b>, and it hosts the facility. It trusts the calling node's word that the
/// patient is signed in there (docs/interop-trust.md, "A patient's timeline across nodes").
/// Answers: 200 the record (JSON: mpi, kind, date, summary, fhir), 409 the store holds it under another patient,
/// 410 the store no longer holds it, 503 the store cannot be read, 401/403 refused, 404 not anchored or not held here.
/// </summary>
public static class NodeRecordApi
{
    public const string Prefix = "/node/v1/records/";

    public static string TargetOf(string facility, string recordId) => Prefix + facility + "/" + recordId;

    /// <summary>Mapped in raft mode only: the embedded node has no other node to answer, and keeps its surface as it was.</summary>
    public static WebApplication MapNodeRecordEndpoints(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NetworkSettings>>().Value.IsRaft) return app;
        app.MapGet(Prefix + "{facility}/{recordId}", async (string facility, string recordId, HttpContext context, NodeRequestAuthenticator authenticator,
            LedgerHost ledger, FacilityNodeKeys keys, IRecordFetcher local, ILogger<NodeRecordFetcher> logger) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToUriComponent();
            var (caller, refusal) = authenticator.Authenticate("GET", target, name => context.Request.Headers[name].Count == 1 ? context.Request.Headers[name][0] : null, []);
            if (refusal is not null)
            {
                logger.LogWarning("Node record request refused {Status}: {Target} from {Node}: {Reason}", refusal.Status, target,
                    context.Request.Headers[NodeRequestSignature.NodeHeader].ToString(), refusal.Reason);
                return Problem(refusal.Status, refusal.Reason);
            }
            if (caller!.Patient is null) return Problem(403, "a record is served to a node only for the patient it belongs to (HP-Patient)");
            var anchor = ledger.Reader.Record(facility, recordId);
            if (anchor is null) return Problem(404, "no such record is anchored on this node's ledger");
            if (anchor.Mpi != caller.Patient)
            {
                logger.LogWarning("Node record request refused 403: node {Node} asked for record {Facility}/{Record} for patient {Mpi}, anchored for another patient",
                    caller.Node, facility, recordId, caller.Patient);
                return Problem(403, "this record is not anchored for the patient the calling node vouches for");
            }
            if (await keys.FindAsync(facility, context.RequestAborted) is null) return Problem(404, "this node does not hold this facility's records");
            var read = await local.FetchAsync(facility, recordId, context.RequestAborted);
            logger.LogInformation("Node record served: node {Node} patient {Mpi} record {Facility}/{Record}: {Status}", caller.Node, caller.Patient, facility, recordId, read.Status);
            return read.Status switch
            {
                EhrReadStatus.Found when read.Record!.Mpi != anchor.Mpi => Problem(409, "the facility's store holds this record under another patient"),
                EhrReadStatus.Found => Results.Text(Envelope(read.Record!).ToJsonString(), "application/json", statusCode: 200),
                EhrReadStatus.NotFound => Problem(410, read.Problem ?? "the facility no longer holds this record"),
                _ => Problem(503, read.Problem ?? "the facility's store cannot be read"),
            };
        }).DisableAntiforgery();
        return app;
    }

    private static IResult Problem(int status, string reason) =>
        Results.Text(new JsonObject { ["problem"] = reason }.ToJsonString(), "application/json", statusCode: status);

    private static JsonObject Envelope(EhrRecord record) => new()
    {
        ["mpi"] = record.Mpi, ["kind"] = record.Kind, ["date"] = record.DateText, ["summary"] = record.Summary, ["fhir"] = FhirJson.Serialize(record.Fhir),
    };

    /// <summary>The record in an answer of 200, or null when it is not well formed.</summary>
    internal static EhrRecord? Parse(string facility, string recordId, byte[] body)
    {
        try
        {
            var json = JsonNode.Parse(body) as JsonObject;
            var fhir = json?["fhir"]?.GetValue<string>() is { } text ? FhirJson.TryParse(text) : null;
            if (json is null || fhir is null || json["mpi"]?.GetValue<string>() is not { } mpi || json["kind"]?.GetValue<string>() is not { } kind
                || !DateOnly.TryParseExact(json["date"]?.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return null;
            return new EhrRecord(facility, recordId, mpi, kind, date, json["summary"]?.GetValue<string>() ?? "", fhir);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    internal static string? ProblemOf(byte[] body)
    {
        try { return (JsonNode.Parse(body) as JsonObject)?["problem"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return null; }
    }
}

/// <summary>
/// The patient timeline's record fetcher in a consortium: a record of a facility hosted here comes from the local
/// store; any other is asked of the node that holds it (<see cref="NodeDirectory"/>) over <see cref="NodeRecordApi"/>,
/// signed by this node and vouching for the record's patient as anchored on this replica. A node that is down,
/// unreachable, slow (bounded by <see cref="NodeApiClient.Timeout"/>) or that refuses makes the record Unavailable,
/// never Altered; only a node that answers "not held any more" or "held under another patient" makes it Altered.
/// Only the patient's own timeline uses it (<c>PatientRecords</c>, through <see cref="RecordVerifier"/>): every
/// anchor it verifies is of the signed-in patient.
/// </summary>
public sealed class NodeRecordFetcher(IRecordFetcher local, FacilityNodeKeys keys, NodeDirectory directory, NodeApiClient nodes, LedgerHost ledger) : IRecordFetcher
{
    public async Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default)
    {
        if (!directory.IsConsortium || await keys.FindAsync(facilityId, ct) is not null) return await local.FetchAsync(facilityId, recordId, ct);
        var anchor = ledger.Reader.Record(facilityId, recordId);
        if (anchor is null) return await local.FetchAsync(facilityId, recordId, ct);
        var location = directory.Locate(facilityId);
        if (!location.IsRemote) return EhrRead.Unavailable($"no node serving facility {facilityId} is known to this node");
        var answer = await nodes.SendAsync(location.BaseUrl!, HttpMethod.Get, NodeRecordApi.TargetOf(facilityId, recordId), null, anchor.Mpi, ct);
        var problem = answer.Problem ?? NodeRecordApi.ProblemOf(answer.Body);
        return answer.Status switch
        {
            200 => NodeRecordApi.Parse(facilityId, recordId, answer.Body) is { } record ? EhrRead.Found(record)
                : EhrRead.Unavailable($"node {location.Label} answered with a malformed record"),
            409 or 410 => EhrRead.NotFound($"node {location.Label}: {problem}"),
            0 => EhrRead.Unavailable(problem ?? $"node {location.Label} cannot be reached"),
            _ => EhrRead.Unavailable($"node {location.Label} answered {answer.Status}: {problem}"),
        };
    }

    /// <summary>
    /// A facility hosted here is read in one batch from its store; another node's records one request each, a few at a
    /// time as the timeline fetched them before batching (each request has its own timeout).
    /// </summary>
    public async Task<IReadOnlyList<EhrRead>> FetchManyAsync(string facilityId, IReadOnlyList<string> recordIds, CancellationToken ct = default)
    {
        if (!directory.IsConsortium || await keys.FindAsync(facilityId, ct) is not null) return await local.FetchManyAsync(facilityId, recordIds, ct);
        var reads = new EhrRead[recordIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, reads.Length), new ParallelOptions { MaxDegreeOfParallelism = RemoteFetches, CancellationToken = ct },
            async (i, token) => reads[i] = await FetchAsync(facilityId, recordIds[i], token));
        return reads;
    }

    private const int RemoteFetches = 4;
}
