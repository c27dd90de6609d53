using System.Net;
using System.Net.Sockets;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// One organisation's node: the real app on its own Kestrel port and data folder, in raft mode from a shared genesis
/// file, without demo seeding (the cluster adds its one facility). Development without a key-encryption key, so the
/// test can make the node's keys in its vault before it starts (the same ring the app then reads).
/// </summary>
public sealed class CrossNodeHost(string nodeId, int port, Dictionary<string, string> network) : PortalFactory
{
    public string NodeId { get; } = nodeId;
    public int Port { get; } = port;
    public Uri Url { get; } = new($"http://127.0.0.1:{port}/");

    /// <summary>The node's <c>HealthPortal:Network</c> settings; read when the host is built, so they can be completed until then.</summary>
    public Dictionary<string, string> Network { get; } = network;

    public override string? KeyEncryptionKey => null;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings.Concat(Network))
    {
        ["HealthPortal:Demo:Seed"] = "false",
        ["HealthPortal:RateLimits:Interop:PermitLimit"] = "100000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("HealthPortal:Demo:Seed", "false");
        builder.ConfigureServices(services => services.Configure<Microsoft.AspNetCore.Identity.PasswordHasherOptions>(o => o.IterationCount = 1_000));
    }

    /// <summary>The vault the app will open (same folder, same Data Protection ring and application name).</summary>
    public ServerKeyVault OfflineVault() => new(
        DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(DataFolder, "keys")), b => b.SetApplicationName("HealthPortal")),
        Path.Combine(DataFolder, "ledger-keys"));

    public LedgerHost Ledger => Services.GetRequiredService<LedgerHost>();
    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>
/// Two organisations' nodes on loopback, ordering by Raft, each hosting one facility: node <c>a</c> hosts Lakeview
/// Clinic (where the test patients sign up), node <c>b</c> Riverside Clinic. Where each facility is served is found
/// the two ways <c>NodeDirectory</c> knows: Lakeview by node a's <c>Members:Facilities</c> entry, Riverside by the
/// endpoint it registered on the ledger (node b's origin). Two further facilities are on the ledger with no node
/// behind them: Northgate, whose endpoint refuses connections, and Westbank, whose endpoint accepts and never
/// answers (the bounded timeout). Every wait is bounded.
/// </summary>
public class CrossNodeCluster : IAsyncLifetime
{
    public const string Lakeview = "fac-lakeview", Riverside = "fac-riverside";
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("hp-xnode-").FullName;
    private TcpListener? _silent;

    public CrossNodeHost A { get; private set; } = default!;
    public CrossNodeHost B { get; private set; } = default!;
    public LedgerKeyPair Admin { get; } = LedgerKeyPair.Create();

    /// <summary>Facilities on the ledger that no running node serves, with their keys (the test signs their anchors).</summary>
    public LedgerKeyPair Northgate { get; } = LedgerKeyPair.Create();
    public LedgerKeyPair Westbank { get; } = LedgerKeyPair.Create();

    public LedgerKeyPair LakeviewKey { get; private set; } = default!;
    public LedgerKeyPair RiversideKey { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        var ports = new[] { FreePort(), FreePort() };
        var deadPort = FreePort();
        _silent = new TcpListener(IPAddress.Loopback, 0);
        _silent.Start(); // accepts connections and never answers
        var silentPort = ((IPEndPoint)_silent.LocalEndpoint).Port;
        var raft = new[] { RaftTestCluster.FreeLoopback(), RaftTestCluster.FreeLoopback() };
        var forward = new[] { RaftTestCluster.FreeLoopback(), RaftTestCluster.FreeLoopback() };
        var genesisFile = Path.Combine(_root, "genesis.json");
        var pprlSecret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        Dictionary<string, string> Network(string self)
        {
            var settings = new Dictionary<string, string>
            {
                ["HealthPortal:Network:Mode"] = "raft", ["HealthPortal:Network:NodeId"] = self, ["HealthPortal:Network:GenesisFile"] = genesisFile,
                ["HealthPortal:Network:NodeCallTimeoutSeconds"] = "2",
                // Anchors older than this are renewed by the facility's node before the patient signs (the co-sign tests wait past it).
                ["HealthPortal:Anchoring:FreshForSeconds"] = "5",
                // The consortium's linkage secret for cross-node MPI candidates: one per cluster, the same on both nodes.
                ["Mpi:Pprl:Secret"] = pprlSecret,
            };
            for (var i = 0; i < 2; i++)
            {
                settings[$"HealthPortal:Network:Members:{i}:NodeId"] = i == 0 ? "a" : "b";
                settings[$"HealthPortal:Network:Members:{i}:RaftEndpoint"] = raft[i].ToString();
                settings[$"HealthPortal:Network:Members:{i}:ForwardEndpoint"] = forward[i].ToString();
                settings[$"HealthPortal:Network:Members:{i}:PublicUrl"] = $"http://127.0.0.1:{ports[i]}";
            }
            return settings;
        }

        A = new CrossNodeHost("a", ports[0], Network("a"));
        B = new CrossNodeHost("b", ports[1], Network("b"));
        var (vaultA, vaultB) = (A.OfflineVault(), B.OfflineVault());
        var nodeA = vaultA.GetOrCreate(ServerKeyVault.GenesisNode);
        var nodeB = vaultB.GetOrCreate(ServerKeyVault.GenesisNode);
        LakeviewKey = vaultA.GetOrCreate(ServerKeyVault.FacilityNode(Lakeview));
        RiversideKey = vaultB.GetOrCreate(ServerKeyVault.FacilityNode(Riverside));
        // Node a is listed with its facility in the members; Riverside is found by the endpoint it registered on the ledger.
        foreach (var node in new[] { A, B }) node.Network["HealthPortal:Network:Members:0:Facilities:0"] = LakeviewKey.Id;

        var genesis = new Genesis("xnode-test", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [Admin.PublicJwk],
            new GenesisNode(nodeA.PublicJwk, NodeKind.Clinic, "Node a", $"http://127.0.0.1:{ports[0]}"), new GenesisParameters(4, 4, 365, 300_000),
            Founders:
            [
                new GenesisNode(nodeB.PublicJwk, NodeKind.Clinic, "Node b", $"http://127.0.0.1:{ports[1]}"),
                new GenesisNode(LakeviewKey.PublicJwk, NodeKind.Clinic, "Lakeview Clinic", "https://lakeview.example/fhir"),
                new GenesisNode(RiversideKey.PublicJwk, NodeKind.Clinic, "Riverside Clinic", $"http://127.0.0.1:{ports[1]}/fhir"),
                new GenesisNode(Northgate.PublicJwk, NodeKind.Laboratory, "Northgate Laboratory", $"http://127.0.0.1:{deadPort}/fhir"),
                new GenesisNode(Westbank.PublicJwk, NodeKind.Laboratory, "Westbank Laboratory", $"http://127.0.0.1:{silentPort}/fhir"),
            ]);
        await File.WriteAllTextAsync(genesisFile, SignedGenesis.Seal(genesis, nodeA).ToJson().ToJsonString());

        foreach (var node in new[] { A, B })
        {
            node.UseKestrel(node.Port);
            node.StartServer();
        }
        var deadline = DateTime.UtcNow + Bound;
        while (!(A.Ledger.Raft!.IsLeader || B.Ledger.Raft!.IsLeader) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(A.Ledger.Raft!.IsLeader || B.Ledger.Raft!.IsLeader, "no leader was elected");

        await HostAsync(A, Lakeview, "Lakeview Clinic", LakeviewKey);
        await HostAsync(B, Riverside, "Riverside Clinic", RiversideKey);
    }

    /// <summary>The node's one facility in its registry, approved (a founder on the ledger), with its EHR store.</summary>
    private static async Task HostAsync(CrossNodeHost node, string id, string name, LedgerKeyPair key)
    {
        var facility = new HealthFacility
        {
            Id = id, Name = name, Kind = FacilityKind.Clinic, Status = FacilityStatus.Approved, NodeKeyId = key.Id, Endpoint = node.Url + "fhir",
            Contact = "desk@" + id + ".example",
        };
        await node.QueryAsync(async db => { db.Facilities.Add(facility); return await db.SaveChangesAsync(); });
        node.Get<EhrStoreProvisioner>().Provision(facility);
    }

    /// <summary>A staff account of the node's facility.</summary>
    public static Task<HealthPortal.Data.ApplicationUser> StaffAsync(CrossNodeHost node, string facilityId) => node.CreateUserAsync(Roles.FacilityStaff, facilityId);

    /// <summary>Waits until <paramref name="node"/>'s replica satisfies <paramref name="done"/> (replication is asynchronous).</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Bound);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Stops node b (its host stops, as on SIGTERM); later calls to its port find nobody listening.</summary>
    public async Task StopBAsync()
    {
        await B.DisposeAsync();
        B = null!;
    }

    public async Task DisposeAsync()
    {
        _silent?.Stop();
        foreach (var node in new[] { B, A }) if (node is not null) await node.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A transaction factory on the real clock (the nodes run on it).</summary>
    public static TransactionFactory Tx => new(TimeProvider.System);
}

[CollectionDefinition(Name)]
public sealed class CrossNodeCollection : ICollectionFixture<CrossNodeCluster>
{
    public const string Name = "Two consortium nodes on loopback";
}

/// <summary>A cluster of its own for the test that stops a node (the shared one must keep both running).</summary>
public sealed class StoppableCrossNodeCluster : CrossNodeCluster;
