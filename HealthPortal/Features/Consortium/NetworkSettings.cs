using System.Net;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Blocks;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// The <c>HealthPortal:Network</c> section: how this node orders transactions. <c>embedded</c> (the default) is the
/// single-process mode with the solo sequencer, exactly as before; <c>raft</c> makes this node one member of a
/// consortium that orders by Raft among facility nodes, started from a shared genesis file.
/// </summary>
public sealed class NetworkSettings
{
    public const string Section = "HealthPortal:Network";
    public const string Embedded = "embedded", Raft = "raft";

    public string Mode { get; set; } = Embedded;

    /// <summary>This node's entry in <see cref="Members"/>.</summary>
    public string? NodeId { get; set; }

    /// <summary>The genesis file every member starts from (genesis JSON + block 0 as its sealer signed it).</summary>
    public string? GenesisFile { get; set; }

    public List<MemberSettings> Members { get; set; } = [];

    /// <summary>The bound on one call to another node (node API, FHIR interop), connecting included: past it, that node's records are Unavailable.</summary>
    public double NodeCallTimeoutSeconds { get; set; } = 5;

    public sealed class MemberSettings
    {
        public string NodeId { get; set; } = "";

        /// <summary><c>ip:port</c> of the member's Raft transport (mutual TLS).</summary>
        public string RaftEndpoint { get; set; } = "";

        /// <summary><c>ip:port</c> where the member takes forwarded transactions when it leads (mutual TLS).</summary>
        public string ForwardEndpoint { get; set; } = "";

        /// <summary>The member's portal URL (for operators and the interop API).</summary>
        public string PublicUrl { get; set; } = "";

        /// <summary>Ledger ids of the facilities this member's portal hosts (<see cref="NodeDirectory"/>); optional when their ledger endpoints name the member's origin.</summary>
        public List<string> Facilities { get; set; } = [];

        /// <summary>
        /// True on a node's own entry while its facility joins an existing consortium (it is not a founder of the
        /// genesis file): it is left out of the initial voting configuration, waits until its <c>node.approve</c> has
        /// committed, then announces these endpoints to the leader, which adds it. Once added, the node remembers it.
        /// </summary>
        public bool Joining { get; set; }
    }

    public bool IsRaft => string.Equals(Mode, Raft, StringComparison.OrdinalIgnoreCase);

    /// <summary>The initial voting members (entries marked <see cref="MemberSettings.Joining"/> left out) and this node's own endpoints.</summary>
    public (RaftMember Self, IReadOnlyList<RaftMember> Members) Endpoints()
    {
        static RaftMember Of(MemberSettings m) => new(IPEndPoint.Parse(m.RaftEndpoint), IPEndPoint.Parse(m.ForwardEndpoint));
        return (Of(Members.Single(m => m.NodeId == NodeId)), [.. Members.Where(m => !m.Joining).Select(Of)]);
    }

    public SignedGenesis ReadGenesisFile()
        => SignedGenesis.FromJson(JsonNode.Parse(File.ReadAllText(GenesisFile!))).ValueOrThrow();
}

/// <summary>Checked at start: a raft node with an unreadable genesis file or a member list without itself stops with a sentence naming the setting.</summary>
public sealed class NetworkSettingsValid : IValidateOptions<NetworkSettings>
{
    public ValidateOptionsResult Validate(string? name, NetworkSettings s)
    {
        const string N = NetworkSettings.Section;
        if (string.Equals(s.Mode, NetworkSettings.Embedded, StringComparison.OrdinalIgnoreCase)) return ValidateOptionsResult.Success;
        if (!s.IsRaft) return ValidateOptionsResult.Fail($"{N}:Mode must be embedded or raft (is '{s.Mode}')");
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(s.NodeId)) failures.Add($"{N}:NodeId is required in raft mode");
        if (s.Members.Count == 0) failures.Add($"{N}:Members must list every ordering member, this node included");
        else if (s.Members.FindIndex(m => m.NodeId == s.NodeId) < 0) failures.Add($"{N}:Members has no entry with this node's NodeId '{s.NodeId}'");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var endpoints = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < s.Members.Count; i++)
        {
            var m = s.Members[i];
            if (string.IsNullOrWhiteSpace(m.NodeId) || !ids.Add(m.NodeId)) failures.Add($"{N}:Members:{i}:NodeId must be set and unique (is '{m.NodeId}')");
            if (!IPEndPoint.TryParse(m.RaftEndpoint, out var raft) || raft.Port == 0) failures.Add($"{N}:Members:{i}:RaftEndpoint must be ip:port (is '{m.RaftEndpoint}')");
            if (!IPEndPoint.TryParse(m.ForwardEndpoint, out var forward) || forward.Port == 0) failures.Add($"{N}:Members:{i}:ForwardEndpoint must be ip:port (is '{m.ForwardEndpoint}')");
            if (!endpoints.Add(m.RaftEndpoint) || !endpoints.Add(m.ForwardEndpoint)) failures.Add($"{N}:Members:{i} reuses an endpoint of another member");
            if (!Uri.TryCreate(m.PublicUrl, UriKind.Absolute, out _)) failures.Add($"{N}:Members:{i}:PublicUrl must be an absolute URL (is '{m.PublicUrl}')");
        }
        if (string.IsNullOrWhiteSpace(s.GenesisFile)) failures.Add($"{N}:GenesisFile is required in raft mode");
        else if (!File.Exists(s.GenesisFile)) failures.Add($"{N}:GenesisFile {s.GenesisFile} does not exist");
        else
        {
            try
            {
                var genesis = SignedGenesis.FromJson(JsonNode.Parse(File.ReadAllText(s.GenesisFile)));
                if (!genesis.IsSuccess) failures.Add($"{N}:GenesisFile {s.GenesisFile} does not hold: {genesis.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                failures.Add($"{N}:GenesisFile {s.GenesisFile} cannot be read: {e.Message}");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
