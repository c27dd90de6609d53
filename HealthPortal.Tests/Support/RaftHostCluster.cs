using HealthPortal.Data;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Consortium;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Support;

/// <summary>
/// Three (or <c>size</c>) <see cref="LedgerHost"/>s in raft mode in this process, each with its own data folder and
/// loopback Raft ports, started from one signed genesis file that names them founders (Riverside, Lakeview,
/// Northgate), as <c>HealthPortal:Network</c> configures a real consortium. Members' public URLs are
/// <c>https://member{i}.test</c>: nothing listens there, so a test answers them itself or sees them unreachable.
/// </summary>
public sealed class RaftHostCluster : IAsyncDisposable
{
    private static readonly (string Kind, string Name)[] Facilities =
        [(NodeKind.Hospital, "Riverside"), (NodeKind.Clinic, "Lakeview"), (NodeKind.Laboratory, "Northgate"), (NodeKind.Clinic, "Eastbank")];

    private readonly string _root = Directory.CreateTempSubdirectory("hp-raft-hosts-").FullName;

    public LedgerHost?[] Hosts { get; }

    /// <summary>The consortium admin key of the genesis file (signs node decisions).</summary>
    public LedgerKeyPair Admin { get; } = LedgerKeyPair.Create();

    public NetworkSettings[] Settings { get; }

    public static string PublicUrl(int i) => $"https://member{i}.test";

    public RaftHostCluster(int size = 3)
    {
        var folders = Enumerable.Range(0, size).Select(i => Directory.CreateDirectory(Path.Combine(_root, $"node{i}")).FullName).ToArray();
        _vaults = folders.Select(f => new ServerKeyVault(new EphemeralDataProtectionProvider(), Path.Combine(f, "ledger-keys"))).ToArray();
        var keys = _vaults.Select(v => v.GetOrCreate(ServerKeyVault.GenesisNode)).ToArray();
        var nodes = keys.Select((k, i) => new GenesisNode(k.PublicJwk, Facilities[i].Kind, Facilities[i].Name, PublicUrl(i))).ToArray();
        var genesis = new Genesis("raft-hosts-test", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [Admin.PublicJwk],
            nodes[0], new GenesisParameters(4, 4, 365, 300_000), Founders: [.. nodes.Skip(1)]);
        var genesisFile = Path.Combine(_root, "genesis.json");
        File.WriteAllText(genesisFile, SignedGenesis.Seal(genesis, keys[0]).ToJson().ToJsonString());
        var members = Enumerable.Range(0, size).Select(i => new NetworkSettings.MemberSettings
        {
            NodeId = $"node{i}", RaftEndpoint = RaftTestCluster.FreeLoopback().ToString(), ForwardEndpoint = RaftTestCluster.FreeLoopback().ToString(),
            PublicUrl = PublicUrl(i),
        }).ToList();
        Settings = [.. Enumerable.Range(0, size).Select(i => new NetworkSettings { Mode = "raft", NodeId = $"node{i}", GenesisFile = genesisFile, Members = members })];
        _folders = folders;
        Hosts = new LedgerHost?[size];
    }

    private readonly string[] _folders;
    private readonly ServerKeyVault[] _vaults;

    public async Task StartAsync()
    {
        for (var i = 0; i < Hosts.Length; i++)
        {
            Hosts[i] = new LedgerHost(Options.Create(new LedgerSettings()), Options.Create(new PortalDataOptions { DataFolder = _folders[i] }), _vaults[i],
                TimeProvider.System, NullLogger<LedgerHost>.Instance, Options.Create(Settings[i]), NullLoggerFactory.Instance);
            await Hosts[i]!.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits (bounded by <see cref="RaftTestCluster.Bound"/>) until one running member leads; its index.</summary>
    public async Task<int> WaitForLeaderAsync()
    {
        var deadline = DateTime.UtcNow + RaftTestCluster.Bound;
        while (DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < Hosts.Length; i++)
                if (Hosts[i]?.Raft is { IsLeader: true }) return i;
            await Task.Delay(10);
        }
        throw new TimeoutException($"no leader within {RaftTestCluster.Bound.TotalSeconds} s");
    }

    /// <summary>Stops member <paramref name="i"/> (it stops answering, like a node that went down).</summary>
    public async Task StopAsync(int i)
    {
        if (Hosts[i] is { } host) await host.DisposeAsync();
        Hosts[i] = null;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Hosts.Length; i++) await StopAsync(i);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
