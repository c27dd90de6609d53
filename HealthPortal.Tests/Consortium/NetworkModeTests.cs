using HealthPortal.Data;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// <c>HealthPortal:Network</c>: embedded stays the default (no Raft), settings are checked at start with sentences
/// naming the setting, and three <see cref="LedgerHost"/>s in raft mode form a consortium from one genesis file.
/// </summary>
public sealed class NetworkModeTests
{
    private static string[] Failures(NetworkSettings s)
    {
        var result = new NetworkSettingsValid().Validate(null, s);
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Fact]
    public void TheDefault_IsEmbedded_AndValid()
    {
        var s = new NetworkSettings();
        Assert.False(s.IsRaft);
        Assert.Empty(Failures(s));
    }

    [Fact]
    public void RaftMode_WithoutItsSettings_FailsNamingEachSetting()
    {
        var failures = Failures(new NetworkSettings
        {
            Mode = "raft", GenesisFile = "/nonexistent/genesis.json",
            Members = [new() { NodeId = "a", RaftEndpoint = "nonsense", ForwardEndpoint = "127.0.0.1:0", PublicUrl = "relative" }],
        });
        Assert.Contains(failures, f => f.Contains("HealthPortal:Network:NodeId"));
        Assert.Contains(failures, f => f.Contains("Members:0:RaftEndpoint"));
        Assert.Contains(failures, f => f.Contains("Members:0:ForwardEndpoint"));
        Assert.Contains(failures, f => f.Contains("Members:0:PublicUrl"));
        Assert.Contains(failures, f => f.Contains("GenesisFile /nonexistent/genesis.json does not exist"));
        Assert.Contains(Failures(new NetworkSettings { Mode = "mesh" }), f => f.Contains("Mode must be embedded or raft"));
    }

    [Fact]
    public void AJoiningEntry_IsThisNodesEndpoints_ButNotAnInitialVotingMember()
    {
        var s = new NetworkSettings
        {
            Mode = "raft", NodeId = "new",
            Members =
            [
                new() { NodeId = "a", RaftEndpoint = "127.0.0.1:7001", ForwardEndpoint = "127.0.0.1:7101", PublicUrl = "https://a.example" },
                new() { NodeId = "new", RaftEndpoint = "127.0.0.1:7004", ForwardEndpoint = "127.0.0.1:7104", PublicUrl = "https://new.example", Joining = true },
            ],
        };
        var (self, members) = s.Endpoints();
        Assert.Equal(7004, self.Raft.Port);
        Assert.Equal([7001], members.Select(m => m.Raft.Port));
    }

    [Fact]
    public async Task ThreeHostsInRaftMode_FromOneGenesisFile_ElectALeader_AndReplicateWhatEachTakes()
    {
        var root = Directory.CreateTempSubdirectory("hp-network-").FullName;
        var folders = Enumerable.Range(0, 3).Select(i => Directory.CreateDirectory(Path.Combine(root, $"node{i}")).FullName).ToArray();
        var vaults = folders.Select(f => new ServerKeyVault(new EphemeralDataProtectionProvider(), Path.Combine(f, "ledger-keys"))).ToArray();
        var keys = vaults.Select(v => v.GetOrCreate(ServerKeyVault.GenesisNode)).ToArray();
        var admin = LedgerKeyPair.Create();
        var genesis = new Genesis("network-test", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [admin.PublicJwk],
            new GenesisNode(keys[0].PublicJwk, NodeKind.Hospital, "Riverside", "https://riverside.example"), new GenesisParameters(4, 4, 365, 300_000),
            Founders: [new GenesisNode(keys[1].PublicJwk, NodeKind.Clinic, "Lakeview", "https://lakeview.example"),
             new GenesisNode(keys[2].PublicJwk, NodeKind.Laboratory, "Northgate", "https://northgate.example")]);
        var genesisFile = Path.Combine(root, "genesis.json");
        await File.WriteAllTextAsync(genesisFile, SignedGenesis.Seal(genesis, keys[0]).ToJson().ToJsonString());
        var members = Enumerable.Range(0, 3).Select(i => new NetworkSettings.MemberSettings
        {
            NodeId = $"node{i}", RaftEndpoint = RaftTestCluster.FreeLoopback().ToString(), ForwardEndpoint = RaftTestCluster.FreeLoopback().ToString(),
            PublicUrl = $"https://localhost:{5000 + i}",
        }).ToList();
        var hosts = new LedgerHost[3];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var network = new NetworkSettings { Mode = "raft", NodeId = $"node{i}", GenesisFile = genesisFile, Members = members };
                Assert.Empty(Failures(network));
                hosts[i] = new LedgerHost(Options.Create(new LedgerSettings()), Options.Create(new PortalDataOptions { DataFolder = folders[i] }), vaults[i],
                    TimeProvider.System, NullLogger<LedgerHost>.Instance, Options.Create(network), NullLoggerFactory.Instance);
                await hosts[i].StartAsync(CancellationToken.None);
                Assert.NotNull(hosts[i].Raft);
            }
            var deadline = DateTime.UtcNow + RaftTestCluster.Bound;
            while (!hosts.Any(h => h.Raft!.IsLeader) && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.Contains(hosts, h => h.Raft!.IsLeader);

            var tx = new TransactionFactory(TimeProvider.System);
            for (var i = 0; i < 3; i++)
            {
                var patient = LedgerKeyPair.Create();
                var result = await hosts[i].Engine.SubmitAsync(tx.PatientRegister(patient.PublicJwk, $"MPI-{i}", LedgerKit.Hash("p"), 4).SignWith(patient))
                    .AsTask().WaitAsync(RaftTestCluster.Bound);
                Assert.True(result.IsCommitted, result.ToString());
            }
            while (hosts.Select(h => h.Engine.TransactionCount).Distinct().Count() > 1 && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.All(hosts, h => Assert.Equal(3, h.Engine.TransactionCount));
            Assert.Single(hosts.Select(h => Base64Url.Encode(h.Engine.Reader.Head().Hash)).Distinct());
            var statuses = hosts.Select(h => h.Raft!.Status(h.Engine)).ToList();
            Assert.Single(statuses, s => s.Role == "leader");
            Assert.All(statuses, s => Assert.Equal(3, s.Members));
        }
        finally
        {
            foreach (var h in hosts) if (h is not null) await h.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
