using System.Text.Json;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Ledger;

/// <summary>
/// A node's status as <c>/node/status</c> answers a caller that asks for JSON (the admin Network page of another
/// member): the <c>node status</c> line's facts plus the facility's name, the time it answered and any tamper alarm.
/// Public facts of the replicated ledger only (ids, heights, hashes, the alarm's height and reason), no secrets.
/// </summary>
/// <param name="Role">leader, follower, candidate or standalone (as in the line).</param>
/// <param name="Alarm">Set once this node refused a block that did not verify; from then on it takes no writes.</param>
public sealed record NodeStatusDocument(
    string NodeId, string? Name, string Role, long Term, long Height, string HeadHash, int Members, DateTimeOffset At, NodeAlarm? Alarm)
{
    /// <summary>Larger answers are not a status document: a member's reply is read up to this many bytes.</summary>
    public const int MaxBytes = 16 * 1024;

    public static NodeStatusDocument Of(LedgerHost host, TimeProvider clock)
    {
        var line = host.Status();
        var engine = host.Engine;
        return new NodeStatusDocument(line.NodeId, engine.Reader.Node(line.NodeId)?.Name, line.Role, line.Term, line.Height, line.HeadHash,
            line.Members, clock.GetUtcNow(), engine.TamperAlarm is { } alarm ? NodeAlarm.Of(alarm) : null);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>The document in <paramref name="json"/>, or null when it is not one (malformed, or without a node id or head).</summary>
    public static NodeStatusDocument? Parse(string json)
    {
        try
        {
            var document = JsonSerializer.Deserialize<NodeStatusDocument>(json, JsonSerializerOptions.Web);
            return document is { NodeId.Length: > 0, Role.Length: > 0, HeadHash.Length: > 0 } ? document : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A tamper alarm as other nodes see it: the refused block's height, the refusal code and the reason.</summary>
public sealed record NodeAlarm(long Height, string Code, string Reason)
{
    public static NodeAlarm Of(BlockRefusal refusal) => new(refusal.Height, refusal.Code.ToString(), refusal.Reason);

    public override string ToString() => $"block {Height} refused ({Code}): {Reason}";
}
