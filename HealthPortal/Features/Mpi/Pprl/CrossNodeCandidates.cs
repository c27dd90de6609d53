using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Mpi.Pprl;

/// <summary>A facility at another node that may hold the same person: its name (from the ledger) and the Dice coefficient.</summary>
public sealed record CrossNodeCandidate(string FacilityLedgerId, string FacilityName, double Dice);

/// <summary>
/// What the other nodes answered: their candidates, best first, and a line for each node that could not answer.
/// <see cref="InConsortium"/> is false where there is no other node to ask (nothing to show the desk).
/// </summary>
public sealed record CrossNodeSearch(IReadOnlyList<CrossNodeCandidate> Candidates, IReadOnlyList<string> Problems, bool InConsortium)
{
    public static readonly CrossNodeSearch Alone = new([], [], false);

    public static CrossNodeSearch Off(string why) => new([], [why], true);
}

/// <summary>
/// Asks every other consortium node, over the signed node API (<see cref="PprlNodeApi"/>), which of its facilities may
/// hold the person the desk typed. Only the Bloom-filter encoding leaves this node, and only facility names and Dice
/// scores come back: the desk learns where to ask, never another facility's demographics. Nothing is written to the
/// ledger. Off when this node is not in a consortium or has no linkage secret.
/// </summary>
public sealed class CrossNodeCandidates(IServiceProvider services, IOptions<PprlOptions> options)
{
    public async Task<CrossNodeSearch> FindAsync(MpiRecord probe, CancellationToken ct = default)
    {
        // The node directory and client exist where the portal runs as a node (AddPortalFeatures); a host with only the
        // MPI services (component tests, tools) has no other node to ask, which is what "not in a consortium" means.
        var directory = services.GetService<NodeDirectory>();
        var nodes = services.GetService<NodeApiClient>();
        var ledger = services.GetService<LedgerHost>();
        if (directory is not { IsConsortium: true } || nodes is null || ledger is null) return CrossNodeSearch.Alone;
        var (encoder, problem) = options.Value.Encoder();
        if (encoder is null) return CrossNodeSearch.Off("other nodes were not asked: " + problem);
        var body = PprlNodeApi.BodyOf(encoder.Encode(probe));
        var answers = await Task.WhenAll(directory.OtherMembers().Select(async node =>
            (Node: node, Answer: await nodes.SendAsync(node.BaseUrl!, HttpMethod.Post, PprlNodeApi.Target, body, patient: null, ct))));
        var candidates = new List<CrossNodeCandidate>();
        var problems = new List<string>();
        foreach (var (node, answer) in answers)
        {
            var parsed = answer.Status == 200 ? PprlNodeApi.ParseAnswer(answer.Body) : null;
            if (parsed is null)
            {
                problems.Add(answer.Status switch
                {
                    0 => answer.Problem ?? $"node {node.Label} cannot be reached",
                    200 => $"node {node.Label} answered with a malformed list",
                    _ => $"node {node.Label} answered {answer.Status}: {ProblemOf(answer.Body)}",
                });
                continue;
            }
            // The facility's name as the ledger has it (approved nodes only); the answering node's word only if the ledger has none.
            var reader = ledger.Reader;
            candidates.AddRange(parsed.Where(m => reader.IsApprovedNode(m.FacilityLedgerId))
                .Select(m => new CrossNodeCandidate(m.FacilityLedgerId, reader.Node(m.FacilityLedgerId)?.Name ?? m.FacilityName, m.Dice)));
        }
        return new CrossNodeSearch(candidates.OrderByDescending(c => c.Dice).ThenBy(c => c.FacilityName, StringComparer.Ordinal).ToList(), problems, InConsortium: true);
    }

    private static string ProblemOf(byte[] body)
    {
        try { return (System.Text.Json.Nodes.JsonNode.Parse(body) as System.Text.Json.Nodes.JsonObject)?["problem"]?.GetValue<string>() ?? "no reason given"; }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { return "no reason given"; }
    }
}
