using HealthPortal.Ledger.Reading;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Consortium;

/// <summary>Where a facility's node answers: this process, another node's portal origin, or nowhere known.</summary>
/// <param name="NodeId">The member's <c>NodeId</c> in <c>HealthPortal:Network:Members</c>, when it is one.</param>
public sealed record NodeLocation(NodeLocationKind Kind, string? NodeId, Uri? BaseUrl)
{
    public static readonly NodeLocation Local = new(NodeLocationKind.Local, null, null);
    public static readonly NodeLocation Unknown = new(NodeLocationKind.Unknown, null, null);
    public bool IsLocal => Kind == NodeLocationKind.Local;
    public bool IsRemote => Kind == NodeLocationKind.Remote;

    /// <summary>What people read: the member's id, else the origin, else "unknown".</summary>
    public string Label => NodeId ?? BaseUrl?.GetLeftPart(UriPartial.Authority) ?? "unknown node";
}

public enum NodeLocationKind { Local, Remote, Unknown }

/// <summary>
/// Which node serves which facility. Embedded, every facility is served here (one process, as before). In raft mode:
/// first the members' <c>Facilities</c> lists in <c>HealthPortal:Network:Members</c> (ledger ids the operator assigned
/// to each member), then the endpoint the facility registered on the ledger (<c>node.register</c>), matched by origin
/// against the members' <c>PublicUrl</c>s, or taken as it is for a node outside the configured list. The ledger
/// endpoint is the facility's own word, signed with its key; the configured list is the operator's, and wins.
/// A caller that can tell a facility is hosted here (its key is in this node's vault) asks that first.
/// </summary>
public sealed class NodeDirectory(IOptions<NetworkSettings> settings, Func<LedgerReader> reader)
{
    public bool IsConsortium => settings.Value.IsRaft;

    private NetworkSettings Settings => settings.Value;

    /// <summary>This node's own member entry (raft mode), or null.</summary>
    public NetworkSettings.MemberSettings? Self => Settings.Members.FirstOrDefault(m => m.NodeId == Settings.NodeId);

    public NodeLocation Locate(string facilityLedgerId)
    {
        if (!IsConsortium) return NodeLocation.Local;
        var member = Settings.Members.FirstOrDefault(m => m.Facilities.Contains(facilityLedgerId, StringComparer.Ordinal));
        if (member is not null) return Of(member);
        if (reader().Node(facilityLedgerId)?.Endpoint is { } endpoint && OriginOf(endpoint) is { } origin)
        {
            var byOrigin = Settings.Members.FirstOrDefault(m => OriginOf(m.PublicUrl) == origin);
            return byOrigin is not null ? Of(byOrigin) : new NodeLocation(NodeLocationKind.Remote, null, origin);
        }
        return NodeLocation.Unknown;
    }

    /// <summary>Every other member of the consortium with its portal origin (raft mode; empty when embedded).</summary>
    public IReadOnlyList<NodeLocation> OtherMembers() => !IsConsortium ? []
        : Settings.Members.Where(m => m.NodeId != Settings.NodeId).Select(Of).Where(l => l.IsRemote).ToList();

    private NodeLocation Of(NetworkSettings.MemberSettings member) =>
        member.NodeId == Settings.NodeId ? NodeLocation.Local
        : OriginOf(member.PublicUrl) is { } origin ? new NodeLocation(NodeLocationKind.Remote, member.NodeId, origin)
        : NodeLocation.Unknown;

    /// <summary>The scheme, host and port of an absolute http(s) URL (a ledger endpoint may carry a path such as /fhir).</summary>
    public static Uri? OriginOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : null;
}
