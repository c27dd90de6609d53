using System.Net;
using System.Net.Sockets;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.Logging;

namespace HealthPortal.Bench;

/// <summary>
/// A consortium on loopback inside one process: N facility nodes founded by one signed genesis, each with its own
/// data folder, ledger engine, Raft and forwarding ports, ordering by <see cref="RaftOrdering"/>. Nodes stop and
/// start again on the same folder and ports. <c>joiners</c> more nodes have keys and ports but are not founders:
/// started, each knows only the genesis file and the founders' addresses and waits to be approved on the ledger.
/// Shared by the bench's cluster phase and the Raft tests; every wait is bounded.
/// </summary>
public class LoopbackConsortium : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private readonly bool _ownsRoot;
    private readonly Func<int, Func<SealedBlock, byte[]>?>? _replicatedBytes;
    private readonly Func<int, ILoggerFactory?>? _loggers;
    private readonly SequencerOptions _blocks;
    private readonly Func<RaftOrderingOptions, RaftOrderingOptions>? _tune;

    public LoopbackConsortium(int size = 3, int joiners = 0, LedgerKeyPair? admin = null, GenesisParameters? parameters = null,
        SequencerOptions? blocks = null, Func<int, Func<SealedBlock, byte[]>?>? replicatedBytes = null, Func<int, ILoggerFactory?>? loggers = null,
        string? folder = null, Func<RaftOrderingOptions, RaftOrderingOptions>? tune = null)
    {
        _tune = tune;
        _ownsRoot = folder is null;
        _root = folder ?? Directory.CreateTempSubdirectory("hp-raft-").FullName;
        _replicatedBytes = replicatedBytes;
        _loggers = loggers;
        _blocks = blocks ?? new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(5) };
        Admin = admin ?? LedgerKeyPair.Create();
        Founders = size;
        Keys = [.. Enumerable.Range(0, size + joiners).Select(_ => LedgerKeyPair.Create())];
        string[] names = ["Riverside Hospital", "Lakeview Clinic", "Northgate Laboratory", "Fourth", "Fifth"];
        string[] kinds = [NodeKind.Hospital, NodeKind.Clinic, NodeKind.Laboratory, NodeKind.Clinic, NodeKind.Clinic];
        var genesis = new Genesis("raft-test", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [Admin.PublicJwk],
            new GenesisNode(Keys[0].PublicJwk, kinds[0], names[0], "https://node0.example"), parameters ?? new GenesisParameters(4, 6, 365, 300_000),
            Founders: [.. Enumerable.Range(1, size - 1).Select(i => new GenesisNode(Keys[i].PublicJwk, kinds[i % kinds.Length], names[i % names.Length], $"https://node{i}.example"))]);
        GenesisFile = SignedGenesis.Seal(genesis, Keys[0]);
        Members = [.. Enumerable.Range(0, size + joiners).Select(_ => new RaftMember(FreeLoopback(), FreeLoopback()))];
        Engines = new LedgerEngine?[size + joiners];
        Orderings = new RaftOrdering?[size + joiners];
        for (var i = 0; i < size; i++) Start(i);
    }

    public LedgerKeyPair Admin { get; }
    public int Founders { get; }
    public LedgerKeyPair[] Keys { get; }
    public SignedGenesis GenesisFile { get; }
    public RaftMember[] Members { get; }
    public LedgerEngine?[] Engines { get; }
    public RaftOrdering?[] Orderings { get; }

    public string Folder(int i) => Path.Combine(_root, $"node{i}");
    public string DatabasePath(int i) => Path.Combine(Folder(i), "ledger.db");
    public IEnumerable<int> Running => Enumerable.Range(0, Engines.Length).Where(i => Engines[i] is not null);

    /// <summary>A loopback port free now (bound to port 0, then released).</summary>
    public static IPEndPoint FreeLoopback()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new IPEndPoint(IPAddress.Loopback, port);
    }

    public void Start(int i)
    {
        Directory.CreateDirectory(Folder(i));
        var options = new RaftOrderingOptions
        {
            // Every node is configured with the founders only: a joiner is added by the leader once approved.
            NodeKey = Keys[i], Self = Members[i], Members = Members[..Founders], DataFolder = Folder(i),
            Blocks = _blocks,
            ReplicatedBytes = _replicatedBytes?.Invoke(i),
            LoggerFactory = _loggers?.Invoke(i),
        };
        if (_tune is not null) options = _tune(options);
        Engines[i] = LedgerEngine.OpenReplica(new LedgerOptions
        {
            DatabasePath = DatabasePath(i),
            Ordering = context => Orderings[i] = new RaftOrdering(options, context),
        }, GenesisFile, Keys[i]);
    }

    public async Task Stop(int i)
    {
        var engine = Engines[i];
        Engines[i] = null;
        Orderings[i] = null;
        if (engine is not null) await engine.DisposeAsync();
    }

    /// <summary>Waits (bounded) until one running node leads; returns its index.</summary>
    public async Task<int> WaitForLeader(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Bound);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var i in Running)
                if (Orderings[i]?.IsLeader == true) return i;
            await Task.Delay(10);
        }
        throw new TimeoutException("no leader within the bound");
    }

    /// <summary>Waits (bounded) until every running node has the same head hash at the highest height any of them has.</summary>
    public async Task WaitConverged(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Bound);
        while (DateTime.UtcNow < deadline)
        {
            var heads = Running.Select(i => Engines[i]!.Reader.Head()).ToList();
            if (heads.All(h => h.Height == heads[0].Height && h.Hash.AsSpan().SequenceEqual(heads[0].Hash))) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("replicas did not converge: " + string.Join(", ", Running.Select(i => $"node{i}@{Engines[i]!.Height}")));
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var i in Running.ToList()) await Stop(i);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsRoot)
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}
