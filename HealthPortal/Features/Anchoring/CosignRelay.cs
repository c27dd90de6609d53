using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// A patient's home node as it answered: its origin and ledger id, and what a desk may see to tell the person in front
/// of it is the card's holder (initials and birth year, as a local lookup shows; never the name or birth date).
/// </summary>
public sealed record HomeNode(Uri Origin, string Node, string? Initials, int? BirthYear);

/// <summary>
/// Carries pending co-signatures between nodes (issue 10): a facility here saves a visit of a patient whose account
/// lives on another node, so the facility-signed anchors travel to that node — the patient's <b>home node</b> — over
/// the signed node API, never through the ledger; the patient co-signs there and that node submits. How this node
/// finds the home node: the patient's MPI number is on the replicated ledger, but not where the account is, so it asks
/// every other member (<c>GET /node/v1/patients/{mpi}/home</c>, signed, answered only to approved nodes) and keeps the
/// answer (the node's ledger id and origin) in memory. Only the home node may ask for fresh anchors or pass on the
/// patient's refusal.
/// </summary>
public sealed class CosignRelay(NodeDirectory directory, NodeApiClient nodes, IDbContextFactory<ApplicationDbContext> dbFactory, ILogger<CosignRelay> logger)
{
    public const string HomePrefix = "/node/v1/patients/";
    public const string OffersTarget = "/node/v1/cosign/offers";
    public const int MaxRecords = 50;

    private readonly ConcurrentDictionary<string, HomeNode> _homes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _delivered = new(StringComparer.Ordinal);

    /// <summary>Whether this process has delivered the offer (after a restart each pending one is offered once more).</summary>
    public bool WasDelivered(string id) => _delivered.ContainsKey(id);

    public bool IsConsortium => directory.IsConsortium;

    public static string HomeTarget(string mpi) => HomePrefix + mpi + "/home";
    public static string RefreshTarget(string id) => $"/node/v1/cosign/{id}/refresh";
    public static string RejectTarget(string id) => $"/node/v1/cosign/{id}/reject";

    /// <summary>Whether the patient with this MPI number has an account on this node.</summary>
    public async Task<bool> IsLocalPatientAsync(string mpi, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PatientProfiles.AsNoTracking().AnyAsync(p => p.MpiNumber == mpi, ct);
    }

    /// <summary>
    /// Where the patient co-signs a save made here: their home node's portal, when this node has already found it (no
    /// network call: pages ask while rendering). Null for a patient of this node, or while the home node is not known.
    /// </summary>
    public Uri? PortalOf(string mpi) => IsConsortium && _homes.TryGetValue(mpi, out var home) ? home.Origin : null;

    /// <summary>The node where the patient's account lives (its origin and ledger id), asked of every other member once; null when none says so.</summary>
    public async Task<HomeNode?> HomeOfAsync(string mpi, bool fresh = false, CancellationToken ct = default)
    {
        if (!fresh && _homes.TryGetValue(mpi, out var known)) return known;
        var answers = await Task.WhenAll(directory.OtherMembers().Select(async member =>
            (Member: member, Answer: await nodes.SendAsync(member.BaseUrl!, HttpMethod.Get, HomeTarget(mpi), null, null, ct))));
        var claims = answers.Where(a => a.Answer.Status == 200).Select(a => HomeOf(a.Member.BaseUrl!, a.Answer.Body)).OfType<HomeNode>()
            .DistinctBy(c => c.Node).ToList();
        // An account lives on one node. Two claims mean a member is wrong or lying: the save goes to neither (its summaries
        // are health data), and operators are told.
        if (claims.Count > 1)
        {
            logger.LogError("Nodes {Nodes} all say they hold the account of patient {Mpi}: pending co-signatures for this patient are not sent", string.Join(", ", claims.Select(c => c.Origin)), mpi);
            return null;
        }
        if (claims.Count == 1) return _homes[mpi] = claims[0];
        var unreachable = answers.Where(a => !a.Answer.Reached).Select(a => a.Member.Label).ToList();
        logger.LogWarning("No node says it holds the account of patient {Mpi}{Unreachable}", mpi,
            unreachable.Count == 0 ? "" : "; unreachable: " + string.Join(", ", unreachable));
        return null;
    }

    /// <summary>
    /// Offers a pending confirmation of a facility here to the patient's home node. True when it has it (offering again
    /// is harmless: the home node keeps one copy per id).
    /// </summary>
    public async Task<bool> OfferAsync(AnchorConfirmation confirmation, string facilityLedgerId, string facilityName, CancellationToken ct = default)
    {
        if (await HomeOfAsync(confirmation.Mpi, ct: ct) is not { } home) return false;
        var body = System.Text.Encoding.UTF8.GetBytes(OfferOf(confirmation, facilityLedgerId, facilityName).ToJsonString());
        var answer = await nodes.SendAsync(home.Origin, HttpMethod.Post, OffersTarget, body, confirmation.Mpi, ct);
        if (answer.Status is 200 or 202)
        {
            _delivered[confirmation.Id] = true;
            return true;
        }
        // The account may have moved, or the cache is stale: ask again next time.
        if (answer.Status == 404) _homes.TryRemove(confirmation.Mpi, out _);
        logger.LogWarning("Confirmation {Id} not delivered to the patient's node {Node}: {Status} {Problem}", confirmation.Id, home.Origin, answer.Status, answer.Problem);
        return false;
    }

    /// <summary>The offer's body: the save as the patient reviews it, each record with its facility-signed anchor in wire form.</summary>
    public static JsonObject OfferOf(AnchorConfirmation confirmation, string facilityLedgerId, string facilityName) => new()
    {
        ["id"] = confirmation.Id, ["facility"] = facilityLedgerId, ["facilityName"] = facilityName,
        ["createdAt"] = confirmation.CreatedAt.ToUnixTimeMilliseconds(),
        ["records"] = new JsonArray([.. confirmation.Records.OrderBy(r => r.Position).Select(r => (JsonNode)new JsonObject
        {
            ["recordId"] = r.RecordId, ["kind"] = r.Kind, ["date"] = r.Date, ["summary"] = r.Summary, ["hash"] = r.Hash, ["tx"] = r.TransactionJson,
            // The content the patient reads before signing (issue 16): the patient's own record, going to the patient's own node; checked against the hash there.
            ["fhir"] = r.FhirJson,
        })]),
    };

    /// <summary>Home node → facility node: fresh anchors for a confirmation the patient is about to sign (null when it cannot be had now).</summary>
    public async Task<JsonObject?> RefreshAsync(RemoteConfirmation confirmation, CancellationToken ct = default)
    {
        if (directory.Locate(confirmation.Facility) is not { IsRemote: true } origin) return null;
        var answer = await nodes.SendAsync(origin.BaseUrl!, HttpMethod.Post, RefreshTarget(confirmation.Id), [], confirmation.Mpi, ct);
        if (answer.Status != 200)
        {
            logger.LogWarning("Fresh anchors for confirmation {Id} not had from {Node}: {Status} {Problem}", confirmation.Id, origin.Label, answer.Status, answer.Problem);
            return null;
        }
        try { return JsonNode.Parse(answer.Body) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>Home node → facility node: the patient said this was not their visit, and why. True when the facility's node has it.</summary>
    public async Task<bool> SendRejectionAsync(RemoteConfirmation confirmation, CancellationToken ct = default)
    {
        if (directory.Locate(confirmation.Facility) is not { IsRemote: true } origin) return false;
        var body = System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["reason"] = confirmation.RejectReason }.ToJsonString());
        var answer = await nodes.SendAsync(origin.BaseUrl!, HttpMethod.Post, RejectTarget(confirmation.Id), body, confirmation.Mpi, ct);
        return answer.Status == 200;
    }

    /// <summary>This node's answer to "where does patient X live": its own ledger id.</summary>
    public string NodeId => nodes.NodeId;

    private static HomeNode? HomeOf(Uri origin, byte[] body)
    {
        try
        {
            var json = JsonNode.Parse(body) as JsonObject;
            if (json?["node"]?.GetValue<string>() is not { } node) return null;
            var initials = json["initials"]?.GetValue<string>();
            return new HomeNode(origin, node, initials is { Length: <= 40 } && HealthPortal.Ledger.Text.SafeText.Check(initials, multiline: false) is null ? initials : null,
                json["birthYear"]?.GetValue<int>());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException) { return null; }
    }

    /// <summary>What the home node tells a desk: initials of each part of the name ("Aye Aye Mon" → "A. A. M."), as a local lookup shows them.</summary>
    public static string InitialsOf(string fullName) =>
        string.Join(" ", fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => System.Globalization.StringInfo.GetNextTextElement(part).ToUpperInvariant() + "."));

    /// <summary>The home-node answer for a patient with an account here: this node's id, initials and birth year; null when none.</summary>
    public async Task<JsonObject?> HomeAnswerAsync(string mpi, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profile = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber == mpi).Select(p => new { p.FullName, p.BirthDate }).FirstOrDefaultAsync(ct);
        return profile is null ? null : new JsonObject { ["node"] = NodeId, ["initials"] = InitialsOf(profile.FullName), ["birthYear"] = profile.BirthDate.Year };
    }

    /// <summary>
    /// Checks an offered anchor: a <c>record.anchor</c> of <paramref name="facility"/> for <paramref name="mpi"/> saying
    /// what its record row says, signed by that facility (approved on this replica) and by nobody else yet.
    /// </summary>
    public static string? AnchorProblem(Transaction tx, RemoteConfirmationRecord row, string facility, string mpi, LedgerReader ledger, PublicKeyCache keys)
    {
        if (tx.Type != TxType.RecordAnchor || PayloadParser.Parse(tx) is not { IsSuccess: true, Value: RecordAnchorPayload p }) return "not a well-formed record.anchor";
        if (p.Facility != facility || p.Mpi != mpi) return "it names another facility or patient";
        if (p.Record != row.RecordId || p.Category != row.Kind || p.Date != row.Date || p.Hash != row.Hash) return "it does not say what the record row says";
        if (tx.Signatures.Count != 1 || tx.Signatures[0].Kid != facility) return "it must carry the facility's signature alone";
        var node = ledger.Node(facility);
        if (node is null || node.Status != HealthPortal.Ledger.State.NodeStatus.Approved) return "the facility is not approved on this node's ledger";
        return keys.Verify(node.Key, tx.SigningBytes, tx.Signatures[0].Signature) ? null : "the facility's signature does not verify";
    }
}
