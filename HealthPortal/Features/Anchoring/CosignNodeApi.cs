using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Text;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// The facility's side of a co-signature offered to another node: that node — the patient's home node, and only it —
/// asks for fresh anchors (the facility re-signs the same content with a new timestamp, as <see cref="AnchorWorkflow"/>
/// does before a local patient signs) or passes on the patient's refusal with its reason.
/// </summary>
public sealed class CosignOrigin(IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, CosignRelay relay, AnchorEvents events, TimeProvider clock,
    ILogger<CosignOrigin> logger)
{
    private readonly TransactionFactory _tx = new(clock);

    public async Task<(int Status, JsonObject Body)> RefreshAsync(NodeCaller caller, string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (confirmation, refusal) = await AuthorizeAsync(db, caller, id, ct);
        if (refusal is not null) return refusal.Value;
        if (confirmation!.Status != AnchorStatus.Pending) return Problem(409, $"this confirmation is {confirmation.Status.ToString().ToLowerInvariant()}");
        var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == confirmation.FacilityId, ct);
        var key = ledger.Keys.Find(ServerKeyVault.FacilityNode(facility.Id));
        if (key is null || key.Id != facility.NodeKeyId) return Problem(503, "this node no longer holds the facility's key");
        foreach (var row in confirmation.Records.Where(r => ledger.Reader.Record(key.Id, r.RecordId) is null))
        {
            var old = TransactionCodec.Parse(row.TransactionJson).ValueOrThrow();
            var body = (JsonObject)old.Body.DeepClone();
            var fresh = _tx.Body();
            body["ts"] = fresh["ts"]!.DeepClone();
            body["nonce"] = fresh["nonce"]!.DeepClone();
            var tx = Transaction.Create(TxType.RecordAnchor, body).ValueOrThrow().SignWith(key);
            row.TransactionJson = tx.ToJsonString();
            row.TransactionId = tx.IdText;
        }
        await db.SaveChangesAsync(ct);
        return (200, CosignRelay.OfferOf(confirmation, key.Id, facility.Name));
    }

    public async Task<(int Status, JsonObject Body)> RejectAsync(NodeCaller caller, string id, string? reason, CancellationToken ct = default)
    {
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > AnchorWorkflow.MaxReasonLength || SafeText.Check(reason, multiline: true) is not null)
            return Problem(422, $"a rejection carries the patient's reason: text of 1 to {AnchorWorkflow.MaxReasonLength} characters");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (confirmation, refusal) = await AuthorizeAsync(db, caller, id, ct);
        if (refusal is not null) return refusal.Value;
        if (confirmation!.Status == AnchorStatus.Anchored) return Problem(409, "these records are already on the ledger");
        if (confirmation.Status == AnchorStatus.Pending)
        {
            confirmation.Status = AnchorStatus.Rejected;
            confirmation.RejectReason = reason;
            confirmation.RejectedAt = clock.GetUtcNow();
            confirmation.Problem = null;
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Confirmation {Id} rejected by the patient on node {Node}", id, caller.Node);
            events.Raise(new AnchorChange(confirmation.Id, confirmation.FacilityId, confirmation.Mpi, AnchorStatus.Rejected));
        }
        return (200, new JsonObject { ["status"] = "rejected" });
    }

    /// <summary>The confirmation, if the caller is the home node of its patient and vouches for that patient.</summary>
    private async Task<(AnchorConfirmation?, (int, JsonObject)?)> AuthorizeAsync(ApplicationDbContext db, NodeCaller caller, string id, CancellationToken ct)
    {
        if (!CosignInbox.IdPattern().IsMatch(id)) return (null, Problem(404, "no such confirmation"));
        var confirmation = await db.AnchorConfirmations.Include(c => c.Records).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (confirmation is null) return (null, Problem(404, "no such confirmation"));
        if (caller.Patient != confirmation.Mpi) return (null, Problem(403, "this confirmation is not of the patient the calling node vouches for"));
        // The cached answer first; a node that is not it may be the patient's new home, so ask again once.
        if ((await relay.HomeOfAsync(confirmation.Mpi, ct: ct))?.Node != caller.Node && (await relay.HomeOfAsync(confirmation.Mpi, fresh: true, ct))?.Node != caller.Node)
            return (null, Problem(403, "the calling node is not where this patient's account is"));
        return (confirmation, null);
    }

    private static (int, JsonObject) Problem(int status, string problem) => (status, new JsonObject { ["problem"] = problem });
}

/// <summary>
/// The node API of co-signatures (signed <see cref="NodeRequestSignature"/>, checked against this replica):
/// <c>GET /node/v1/patients/{mpi}/home</c> (200 with this node's ledger id, and the initials and birth year a desk
/// checks, when the patient's account is here; else 404), <c>POST /node/v1/cosign/offers</c> (a facility's pending save for a patient of this node: 202),
/// <c>POST /node/v1/cosign/{id}/refresh</c> and <c>/reject</c> (from the patient's home node to the facility's).
/// </summary>
public static class CosignNodeApi
{
    /// <summary>Offers are a few kilobytes per record; more than this is not an offer.</summary>
    public const int MaxBody = 512 * 1024;

    /// <summary>Mapped in raft mode only: the embedded node has no other node to answer, and keeps its surface as it was.</summary>
    public static WebApplication MapCosignNodeApi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NetworkSettings>>().Value.IsRaft) return app;
        app.MapGet(CosignRelay.HomePrefix + "{mpi}/home", async (string mpi, HttpContext context, NodeRequestAuthenticator auth, CosignRelay relay) =>
        {
            if (await AuthenticateAsync(context, auth) is { Refusal: { } refused }) return refused;
            return await relay.HomeAnswerAsync(mpi, context.RequestAborted) is { } home
                ? Json(200, home)
                : Json(404, new JsonObject { ["problem"] = "no patient with this MPI number has an account on this node" });
        });

        app.MapPost(CosignRelay.OffersTarget, async (HttpContext context, NodeRequestAuthenticator auth, RemoteConfirmations remote,
            IDbContextFactory<ApplicationDbContext> dbFactory) =>
        {
            var (caller, body, refusal) = await AuthenticateAsync(context, auth);
            if (refusal is not null) return refusal;
            if (Parse(body) is not { } offer) return Json(422, new JsonObject { ["problem"] = "the body is not a JSON object" });
            var answer = await remote.AcceptAsync(caller!, offer, async id =>
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                return await db.AnchorConfirmations.AnyAsync(c => c.Id == id);
            }, context.RequestAborted);
            return Json(answer.Status, answer.Problem is null ? new JsonObject { ["status"] = "waiting" } : new JsonObject { ["problem"] = answer.Problem });
        }).DisableAntiforgery();

        app.MapPost("/node/v1/cosign/{id}/refresh", async (string id, HttpContext context, NodeRequestAuthenticator auth, CosignOrigin origin) =>
        {
            var (caller, _, refusal) = await AuthenticateAsync(context, auth);
            if (refusal is not null) return refusal;
            var (status, answer) = await origin.RefreshAsync(caller!, id, context.RequestAborted);
            return Json(status, answer);
        }).DisableAntiforgery();

        app.MapPost("/node/v1/cosign/{id}/reject", async (string id, HttpContext context, NodeRequestAuthenticator auth, CosignOrigin origin) =>
        {
            var (caller, body, refusal) = await AuthenticateAsync(context, auth);
            if (refusal is not null) return refusal;
            string? reason = null;
            try { reason = Parse(body)?["reason"]?.GetValue<string>(); } catch (InvalidOperationException) { }
            var (status, answer) = await origin.RejectAsync(caller!, id, reason, context.RequestAborted);
            return Json(status, answer);
        }).DisableAntiforgery();
        return app;
    }

    private static async Task<(NodeCaller? Caller, byte[] Body, IResult? Refusal)> AuthenticateAsync(HttpContext context, NodeRequestAuthenticator auth)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBody) return (null, [], Json(413, new JsonObject { ["problem"] = "the body is too large" }));
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBody) return (null, [], Json(413, new JsonObject { ["problem"] = "the body is too large" }));
            buffer.Write(chunk, 0, read);
        }
        var body = buffer.ToArray();
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToUriComponent();
        var (caller, refusal) = auth.Authenticate(request.Method, target, name => request.Headers[name].Count == 1 ? request.Headers[name][0] : null, body);
        if (refusal is not null)
        {
            context.RequestServices.GetRequiredService<ILogger<CosignOrigin>>().LogWarning("Node request refused {Status}: {Method} {Target} from {Node}: {Reason}",
                refusal.Status, request.Method, target, request.Headers[NodeRequestSignature.NodeHeader].ToString(), refusal.Reason);
            return (null, body, Json(refusal.Status, new JsonObject { ["problem"] = refusal.Reason }));
        }
        return (caller, body, null);
    }

    private static JsonObject? Parse(byte[] body)
    {
        try { return System.Text.Json.Nodes.JsonNode.Parse(body) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static IResult Json(int status, JsonObject body) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);
}

/// <summary>
/// Retries what another node could not take when it happened (consortium only, every <see cref="Interval"/>):
/// offers of pending saves to patients' home nodes, and patients' rejections to facilities' nodes. Both are
/// idempotent on the receiving side.
/// </summary>
public sealed class CosignRelayService(IServiceProvider services, CosignRelay relay, ILogger<CosignRelayService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!relay.IsConsortium) return;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AnchorWorkflow>().RelayPendingAsync(stoppingToken);
                var remote = scope.ServiceProvider.GetRequiredService<RemoteConfirmations>();
                foreach (var rejected in remote.UndeliveredRejections()) await remote.DeliverRejectionAsync(rejected, stoppingToken);
            }
            catch (Exception e) when (e is IOException or DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
            {
                // One failed round (a database busy, a node mid-restart) must not stop the retries; the next round tries again.
                logger.LogWarning(e, "Co-signature relay round failed; retrying in {Interval}", Interval);
            }
        }
    }
}
