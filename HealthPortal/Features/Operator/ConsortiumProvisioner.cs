using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Data.KeyRing;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Blocks;
using Microsoft.AspNetCore.DataProtection;

namespace HealthPortal.Features.Operator;

/// <summary>One organisation's node of a local consortium: its folder, its settings file and where it listens.</summary>
public sealed record ConsortiumNode(string NodeId, DemoData.Facility Facility, string Folder, Uri PublicUrl)
{
    /// <summary>The node's own settings (the <c>HealthPortal</c> section it runs with), as an operator would put them in its appsettings.json.</summary>
    public string SettingsFile => Path.Combine(Folder, ConsortiumProvisioner.NodeSettingsFileName);

    /// <summary>The node's data folder (<c>--data</c>): identity.db, ledger.db replica, Raft log, EHR store, keys.</summary>
    public string DataFolder => Path.Combine(Folder, "data");

    public string LogFile => Path.Combine(Folder, "node.log");
}

public sealed record ConsortiumPlan(string Root, IReadOnlyList<ConsortiumNode> Nodes, bool Created);

/// <summary>
/// Lays out a local demo consortium under one folder, once: for each of N organisations
/// (<see cref="DemoData.ConsortiumFacilities"/>, Riverside hospital first) a node folder with its own data folder and
/// node key (in the node's own server key vault, encrypted by the node's own Data Protection key ring, so the node
/// opens it as if it had made it), one signed genesis file whose sealer and founders are all N facility nodes (approved
/// from height 0, so Raft has a quorum of approved sealers at once), and each node's settings file (Network Mode raft,
/// its NodeId, every member's Raft, forwarding and HTTP endpoint on free loopback ports, its demo organisation and
/// patients). A second run finds <c>consortium.json</c> and changes nothing, so the nodes keep their keys, chain and ports.
/// </summary>
public static class ConsortiumProvisioner
{
    public const int MaxNodes = 5;
    public const string PlanFileName = "consortium.json", GenesisFileName = "genesis.json", NodeSettingsFileName = "node.json";

    /// <summary>Provisions <paramref name="root"/> for <paramref name="count"/> nodes, or reads what an earlier run provisioned there.</summary>
    /// <param name="configuration">The deployment settings (<c>Ledger:Genesis</c> for the chain's parameters, <c>HealthPortal:KeyRing</c>).</param>
    /// <param name="environmentName">The nodes' environment (decides whether their key ring needs a key-encryption key).</param>
    public static ConsortiumPlan Provision(string root, int count, IConfiguration configuration, string environmentName)
    {
        if (count is < 1 or > MaxNodes) throw new ArgumentOutOfRangeException(nameof(count), count, $"--nodes must be 1 to {MaxNodes}");
        root = Path.GetFullPath(root);
        var planFile = Path.Combine(root, PlanFileName);
        if (File.Exists(planFile))
        {
            var existing = Read(root);
            if (existing.Nodes.Count != count)
                throw new ConsortiumSetupException($"{root} holds a consortium of {existing.Nodes.Count} node(s); run with --nodes {existing.Nodes.Count}, or choose another --data folder for {count}");
            return existing;
        }

        var facilities = DemoData.ConsortiumFacilities.Take(count).ToList();
        var folders = facilities.Select(f => Path.Combine(root, NodeIdOf(f))).ToList();
        // Without the plan file nothing has started yet; a ledger here would be a chain of some other genesis.
        if (folders.FirstOrDefault(f => File.Exists(Path.Combine(f, "data", LedgerHost.LedgerFileName))) is { } started)
            throw new ConsortiumSetupException($"{started} holds a ledger but {planFile} is missing: this is not a consortium folder `consortium up` made; choose another --data folder");

        DataFolderPermissions.RestrictNewFiles();
        Directory.CreateDirectory(root);
        var ports = FreeLoopbackPorts(3 * count);
        var nodes = facilities.Select((f, i) => new ConsortiumNode(NodeIdOf(f), f, folders[i], new Uri($"http://localhost:{ports[3 * i + 2]}"))).ToList();
        var members = nodes.Select((n, i) => new NetworkSettings.MemberSettings
        {
            NodeId = n.NodeId,
            RaftEndpoint = $"127.0.0.1:{ports[3 * i]}",
            ForwardEndpoint = $"127.0.0.1:{ports[3 * i + 1]}",
            PublicUrl = n.PublicUrl.ToString().TrimEnd('/'),
        }).ToList();

        // Each node's key is made in that node's own vault; only public keys leave it (into the genesis file).
        var genesisSettings = configuration.GetSection(LedgerSettings.Section).Get<LedgerSettings>()?.Genesis ?? new LedgerSettings.GenesisSettings();
        var skew = (configuration.GetSection(LedgerSettings.Section).Get<LedgerSettings>() ?? new LedgerSettings()).MaxClockSkewSeconds;
        GenesisNode sealerNode = null!;
        var founders = new List<GenesisNode>();
        HealthPortal.Ledger.Crypto.LedgerKeyPair sealerKey = null!, adminKey = null!;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            using var vault = NodeVault.Open(node.DataFolder, configuration, environmentName);
            var key = vault.Keys.GetOrCreate(ServerKeyVault.GenesisNode);
            var genesisNode = new GenesisNode(key.PublicJwk, NodeRegistrations.LedgerKind(node.Facility.Kind), node.Facility.Name, members[i].PublicUrl + "/fhir");
            if (i == 0)
            {
                // The first organisation seals block 0 and holds the consortium admin key (its admin signs in there).
                sealerNode = genesisNode;
                sealerKey = key;
                adminKey = vault.Keys.GetOrCreate(ServerKeyVault.ConsortiumAdmin);
            }
            else founders.Add(genesisNode);
        }
        var genesis = new Genesis(genesisSettings.ChainId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [adminKey.PublicJwk], sealerNode,
            new GenesisParameters(genesisSettings.PatientPowDifficultyBits, genesisSettings.FacilityPowDifficultyBits, genesisSettings.MaxGrantDays, skew * 1000L),
            Founders: founders);
        var genesisJson = SignedGenesis.Seal(genesis, sealerKey).ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        WriteAtomically(Path.Combine(root, GenesisFileName), genesisJson);

        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            // Each node reads its own copy, as a node on its own machine would.
            var genesisCopy = Path.Combine(node.Folder, GenesisFileName);
            WriteAtomically(genesisCopy, genesisJson);
            var settings = new JsonObject
            {
                ["HealthPortal"] = new JsonObject
                {
                    ["Network"] = new JsonObject
                    {
                        ["Mode"] = NetworkSettings.Raft,
                        ["NodeId"] = node.NodeId,
                        ["GenesisFile"] = genesisCopy,
                        ["Members"] = new JsonArray([.. members.Select(m => (JsonNode)new JsonObject
                        {
                            ["NodeId"] = m.NodeId, ["RaftEndpoint"] = m.RaftEndpoint, ["ForwardEndpoint"] = m.ForwardEndpoint, ["PublicUrl"] = m.PublicUrl,
                        })]),
                    },
                    ["Demo"] = new JsonObject
                    {
                        ["Facility"] = node.Facility.Id,
                        ["Patients"] = new JsonArray([.. PatientsSignedUpAt(node.Facility.Id, facilities).Select(p => (JsonNode)JsonValue.Create(p.Email)!)]),
                    },
                },
            };
            WriteAtomically(node.SettingsFile, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        // Last: its presence says the folder is complete (a run interrupted before it starts over cleanly).
        WriteAtomically(planFile, new JsonObject
        {
            ["nodes"] = new JsonArray([.. nodes.Select(n => (JsonNode)new JsonObject { ["nodeId"] = n.NodeId, ["facility"] = n.Facility.Id, ["url"] = n.PublicUrl.ToString() })]),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ConsortiumPlan(root, nodes, Created: true);
    }

    /// <summary>What an earlier run provisioned under <paramref name="root"/>.</summary>
    public static ConsortiumPlan Read(string root)
    {
        root = Path.GetFullPath(root);
        var planFile = Path.Combine(root, PlanFileName);
        try
        {
            var plan = JsonNode.Parse(File.ReadAllText(planFile))!["nodes"]!.AsArray();
            var nodes = plan.Select(n =>
            {
                var facilityId = (string)n!["facility"]!;
                var facility = DemoData.ConsortiumFacilities.SingleOrDefault(f => f.Id == facilityId)
                    ?? throw new ConsortiumSetupException($"{planFile} names an unknown organisation '{facilityId}'");
                return new ConsortiumNode((string)n["nodeId"]!, facility, Path.Combine(root, (string)n["nodeId"]!), new Uri((string)n["url"]!));
            }).ToList();
            if (nodes.Count is < 1 or > MaxNodes) throw new ConsortiumSetupException($"{planFile} lists {nodes.Count} nodes");
            return new ConsortiumPlan(root, nodes, Created: false);
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException or IOException)
        {
            throw new ConsortiumSetupException($"{planFile} cannot be read ({e.Message}); move the folder away and run again to provision a new consortium");
        }
    }

    /// <summary>
    /// The environment a node process of the plan runs with: its settings file flattened into configuration keys
    /// (<c>HealthPortal__Network__Members__0__NodeId</c>…), so a node needs no file beside the executable.
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnvironmentOf(ConsortiumNode node)
    {
        var settings = new ConfigurationBuilder().AddJsonFile(node.SettingsFile, optional: false).Build();
        return settings.AsEnumerable()
            .Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!, StringComparer.Ordinal);
    }

    /// <summary>
    /// Where each demo patient signed up: at their home organisation when it is in this consortium, otherwise at
    /// the first node (a one- or two-node consortium still has both demo patients).
    /// </summary>
    public static IEnumerable<DemoData.Patient> PatientsSignedUpAt(string facilityId, IReadOnlyList<DemoData.Facility> consortium)
        => DemoData.Patients.Where(p => (consortium.Any(f => f.Id == p.HomeFacilityId) ? p.HomeFacilityId : consortium[0].Id) == facilityId);

    public static string NodeIdOf(DemoData.Facility facility) => facility.Id.StartsWith("demo-", StringComparison.Ordinal) ? facility.Id[5..] : facility.Id;

    private static void WriteAtomically(string path, string contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, contents);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Distinct free loopback ports: all listeners stay open until every port is chosen, so none repeats.</summary>
    private static int[] FreeLoopbackPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var l in listeners) l.Start();
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var l in listeners) l.Stop();
        }
    }
}

/// <summary>A refusal to provision or start a consortium, said in one line.</summary>
public sealed class ConsortiumSetupException(string message) : Exception(message);

/// <summary>
/// A node's server key vault opened from outside the node, with the Data Protection set-up the node itself uses
/// (application name, key ring in <c>{data}/keys</c>, the key-encryption key when one is configured).
/// </summary>
internal sealed class NodeVault : IDisposable
{
    private readonly ServiceProvider _services;

    private NodeVault(ServiceProvider services, ServerKeyVault keys)
    {
        _services = services;
        Keys = keys;
    }

    public ServerKeyVault Keys { get; }

    public static NodeVault Open(string dataFolder, IConfiguration configuration, string environmentName)
    {
        // As the node itself does before it writes anything: the key ring and the vault are the node account's alone.
        DataFolderPermissions.RestrictNewFiles();
        var folder = Directory.CreateDirectory(dataFolder).FullName;
        DataFolderPermissions.Tighten(folder);
        var keys = Directory.CreateDirectory(Path.Combine(folder, "keys"));
        var services = new ServiceCollection();
        services.AddLogging();
        var dataProtection = services.AddDataProtection().SetApplicationName("HealthPortal").PersistKeysToFileSystem(keys);
        KeyRingProtection.Configure(dataProtection, configuration, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environmentName }, folder, keys.FullName);
        var provider = services.BuildServiceProvider();
        return new NodeVault(provider, new ServerKeyVault(provider.GetRequiredService<IDataProtectionProvider>(), Path.Combine(folder, "ledger-keys")));
    }

    public void Dispose() => _services.Dispose();
}
