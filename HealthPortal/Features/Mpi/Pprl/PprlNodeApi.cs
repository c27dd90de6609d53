using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Crypto;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Mpi.Pprl;

/// <summary>
/// <c>POST /node/v1/mpi/candidates</c>: another consortium node's candidate search. The request is signed by the calling
/// node (<see cref="NodeRequestSignature"/>, checked against this node's replica: an approved facility node) and its
/// body is <c>{"clk": base64url of the 125-byte filter}</c>; the answer is
/// <c>{"candidates": [{"facility": ledger id, "name": facility name, "dice": 0.93}]}</c>, at most
/// <see cref="PprlOptions.MaxCandidates"/>. Each calling node gets <see cref="PprlOptions.SearchesPerMinute"/>
/// searches a minute (429 beyond): a node probing filters for guessed people is slowed to a crawl.
/// 400 malformed body, 401/403 refused caller, 503 no linkage secret on this node.
/// </summary>
public static class PprlNodeApi
{
    public const string Target = "/node/v1/mpi/candidates";

    /// <summary>The largest body read (a filter in base64url is 167 characters).</summary>
    private const int MaxBody = 1_024;

    /// <summary>Mapped in raft mode only, like the other node-API endpoints: an embedded node has no other node to answer.</summary>
    public static WebApplication MapPprlNodeApi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<NetworkSettings>>().Value.IsRaft) return app;
        app.MapPost(Target, async (HttpContext context, NodeRequestAuthenticator authenticator, PprlSearchLimiter limiter, PprlRegisterSearch search,
            ILogger<PprlRegisterSearch> logger) =>
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            if (body is null) return Problem(400, $"the body must be at most {MaxBody} bytes");
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToUriComponent();
            var (caller, refusal) = authenticator.Authenticate("POST", target, name => context.Request.Headers[name].Count == 1 ? context.Request.Headers[name][0] : null, body);
            if (refusal is not null)
            {
                logger.LogWarning("PPRL candidate search refused {Status} from {Node}: {Reason}", refusal.Status,
                    context.Request.Headers[NodeRequestSignature.NodeHeader].ToString(), refusal.Reason);
                return Problem(refusal.Status, refusal.Reason);
            }
            if (!limiter.TryAcquire(caller!.Node))
                return Problem(429, "too many candidate searches from this node; try again in a minute");
            if (ParseFilter(body) is not { } probe) return Problem(400, $"the body must be {{\"clk\": base64url of {BloomEncoding.Bytes} bytes}}");
            var (matches, problem) = await search.SearchAsync(probe, context.RequestAborted);
            if (matches is null) return Problem(503, problem!);
            logger.LogInformation("PPRL candidate search from node {Node}: {Count} candidates", caller.Node, matches.Count);
            var answer = new JsonArray([.. matches.Select(m => (JsonNode)new JsonObject { ["facility"] = m.FacilityLedgerId, ["name"] = m.FacilityName, ["dice"] = m.Dice })]);
            return Results.Text(new JsonObject { ["candidates"] = answer }.ToJsonString(), "application/json", statusCode: 200);
        }).DisableAntiforgery();
        return app;
    }

    public static byte[] BodyOf(BloomEncoding probe) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["clk"] = Base64Url.Encode(probe.ToBytes()) }.ToJsonString());

    public static BloomEncoding? ParseFilter(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject json && json["clk"] is JsonValue v && v.TryGetValue<string>(out var text)
                && Base64Url.TryDecode(text, out var bytes) ? BloomEncoding.FromBytes(bytes) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The candidates of an answer of 200, or null when it is not well formed.</summary>
    public static IReadOnlyList<PprlMatch>? ParseAnswer(byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject json || json["candidates"] is not JsonArray list) return null;
            var matches = new List<PprlMatch>();
            foreach (var item in list)
            {
                if (item is not JsonObject o || o["facility"]?.GetValue<string>() is not { } facility || o["dice"] is not JsonValue dice
                    || !dice.TryGetValue<double>(out var d) || d is < 0 or > 1) return null;
                matches.Add(new PprlMatch(facility, o["name"]?.GetValue<string>() ?? "", d));
            }
            return matches;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[512];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBody) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static IResult Problem(int status, string reason) =>
        Results.Text(new JsonObject { ["problem"] = reason }.ToJsonString(), "application/json", statusCode: status);
}

/// <summary>Candidate searches per calling node per minute (<see cref="PprlOptions.SearchesPerMinute"/>), counted after the caller is authenticated.</summary>
public sealed class PprlSearchLimiter(IOptions<PprlOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(node =>
        RateLimitPartition.GetFixedWindowLimiter(node, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.SearchesPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    public bool TryAcquire(string node)
    {
        using var lease = _limiter.AttemptAcquire(node);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
