using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// Which ledger node (facility key id) listens at which Raft and forwarding endpoints. The ledger's
/// <c>node.register</c> carries only the portal URL, so the endpoints come from the node itself: once its
/// <c>node.approve</c> has committed, it announces them to the leader over the mutual-TLS forwarding channel (the TLS
/// handshake proves the key, and is refused while the key is not approved). The leader replicates the record as a Raft
/// log entry, so every node — any future leader included — can map a revoked facility to the member to remove and a
/// new leader to the endpoint to forward to.
/// </summary>
/// <remarks>
/// Kept in a small JSON file beside the write-ahead log: the log's applied prefix is not replayed after a restart,
/// and the directory must survive one to rebuild the voting configuration (<see cref="RaftOrdering"/> starts from the
/// configured members plus every directory member still approved on the local replica).
/// </remarks>
public sealed class MemberDirectory
{
    private static ReadOnlySpan<byte> EntryMagic => "HPMD"u8;
    private static ReadOnlySpan<byte> JoinMagic => "HPMJ"u8;

    private readonly string _file;
    private readonly ConcurrentDictionary<string, RaftMember> _members = new(StringComparer.Ordinal);
    private readonly Lock _save = new();

    public MemberDirectory(string file)
    {
        _file = file;
        if (!File.Exists(file)) return;
        foreach (var (node, member) in ParseAll(File.ReadAllBytes(file)))
            _members[node] = member;
    }

    public IReadOnlyDictionary<string, RaftMember> Members => _members;

    public RaftMember? Find(string nodeId) => _members.TryGetValue(nodeId, out var m) ? m : null;

    /// <summary>The ledger node id of the member whose Raft transport listens at <paramref name="raft"/>, or null.</summary>
    public string? NodeAt(EndPoint raft) => _members.FirstOrDefault(kv => kv.Value.Raft.Equals(raft)).Key;

    /// <summary>True when the directory already holds exactly this record (nothing to replicate).</summary>
    public bool Holds(string nodeId, RaftMember member) => Find(nodeId) == member;

    /// <summary>Applies a replicated record (idempotent: the same record again changes nothing).</summary>
    public void Apply(string nodeId, RaftMember member)
    {
        if (Holds(nodeId, member)) return;
        lock (_save)
        {
            _members[nodeId] = member;
            var temp = _file + ".tmp";
            File.WriteAllBytes(temp, Serialize(_members));
            File.Move(temp, _file, overwrite: true);
        }
    }

    // ---- wire forms ---------------------------------------------------------------------------------------------

    /// <summary>A log entry recording that <paramref name="nodeId"/> listens at <paramref name="member"/>.</summary>
    public static byte[] Entry(string nodeId, RaftMember member) => [.. EntryMagic, .. Record(nodeId, member)];

    /// <summary>True for a directory log entry (as opposed to a sealed block, which starts with <c>HPSB</c>).</summary>
    public static bool IsEntry(ReadOnlySpan<byte> bytes) => bytes.StartsWith(EntryMagic);

    /// <summary>A join announcement: the sender's own endpoints (its identity is the key of its TLS certificate).</summary>
    public static byte[] JoinRequest(RaftMember self) => [.. JoinMagic, .. Record("", self)];

    public static bool IsJoinRequest(ReadOnlySpan<byte> bytes) => bytes.StartsWith(JoinMagic);

    /// <summary>Decodes an entry's or join request's record; null when malformed (a hostile or broken frame is a refusal).</summary>
    public static (string Node, RaftMember Member)? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4) return null;
        try
        {
            return FromJson(JsonNode.Parse(bytes[4..]));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Record(string nodeId, RaftMember m) => Encoding.UTF8.GetBytes(ToJson(nodeId, m).ToJsonString());

    private static JsonObject ToJson(string nodeId, RaftMember m) => new() { ["node"] = nodeId, ["raft"] = m.Raft.ToString(), ["forward"] = m.Forward.ToString() };

    private static (string, RaftMember)? FromJson(JsonNode? node)
    {
        if (node is not JsonObject o || o["node"] is not JsonValue id || o["raft"] is not JsonValue raft || o["forward"] is not JsonValue forward) return null;
        if (!id.TryGetValue<string>(out var nodeId) || nodeId.Length > 200) return null;
        if (!raft.TryGetValue<string>(out var r) || !IPEndPoint.TryParse(r, out var raftEp) || raftEp.Port == 0) return null;
        if (!forward.TryGetValue<string>(out var f) || !IPEndPoint.TryParse(f, out var forwardEp) || forwardEp.Port == 0) return null;
        return (nodeId, new RaftMember(raftEp, forwardEp));
    }

    private static byte[] Serialize(IEnumerable<KeyValuePair<string, RaftMember>> members)
        => Encoding.UTF8.GetBytes(new JsonArray([.. members.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (JsonNode)ToJson(kv.Key, kv.Value))]).ToJsonString());

    private static IEnumerable<(string, RaftMember)> ParseAll(byte[] file)
    {
        if (JsonNode.Parse(file) is not JsonArray all) yield break;
        foreach (var item in all)
            if (FromJson(item) is { } record) yield return record;
    }
}
