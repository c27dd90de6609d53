using HealthPortal.Data;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Reading;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Ledger;

/// <summary>
/// Owns this process's ledger node: opens it at start-up (creating the chain from the deployment file's genesis
/// settings on first start, with the start-up head check) and closes it on shutdown.
/// </summary>
public sealed class LedgerHost(
    IOptions<LedgerSettings> settings, IOptions<PortalDataOptions> data, ServerKeyVault vault, TimeProvider clock,
    ILogger<LedgerHost> logger, IOptions<NetworkSettings>? network = null, ILoggerFactory? loggerFactory = null) : IHostedService, IAsyncDisposable
{
    /// <summary>The Raft ordering when <c>HealthPortal:Network:Mode</c> is raft; null in the embedded mode.</summary>
    public RaftOrdering? Raft { get; private set; }

    private LedgerEngine? _engine;

    public const string LedgerFileName = "ledger.db";

    /// <summary>The running engine. Available once the host has started.</summary>
    public LedgerEngine Engine => _engine ?? throw new InvalidOperationException("the ledger has not started");

    /// <summary>The running engine's read API (committed state only). Available once the host has started.</summary>
    public LedgerReader Reader => Engine.Reader;

    public ServerKeyVault Keys => vault;

    /// <summary>
    /// This node's status line (<c>node status</c>, <c>/node/status</c>): under Raft its role, term and the voting
    /// members; embedded, the standalone sealer and the facilities approved on its chain.
    /// </summary>
    public NodeStatusReport Status()
    {
        var engine = Engine;
        if (Raft is { } raft) return raft.Status(engine);
        var members = engine.Reader.Nodes().Count(n => n.Status == HealthPortal.Ledger.State.NodeStatus.Approved);
        return new NodeStatusReport(engine.NodeId, NodeStatusReport.StandaloneRole, 0, engine.Height,
            HealthPortal.Ledger.Crypto.Base64Url.Encode(engine.Reader.Head().Hash), members);
    }

    /// <summary>Opens the node; idempotent, because start-up work (demo seeding) needs the ledger before hosted services start.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_openLock)
        {
            if (_engine is null) Open();
        }
        return Task.CompletedTask;
    }

    private readonly Lock _openLock = new();

    private void Open()
    {
        var s = settings.Value;
        var sealer = vault.GetOrCreate(ServerKeyVault.GenesisNode);
        var admin = vault.GetOrCreate(ServerKeyVault.ConsortiumAdmin);
        var genesis = new Genesis(
            s.Genesis.ChainId, clock.GetUtcNow().ToUnixTimeMilliseconds(), [admin.PublicJwk],
            new GenesisNode(sealer.PublicJwk, s.Genesis.Sealer.Kind, s.Genesis.Sealer.Name, s.Genesis.Sealer.Endpoint),
            new GenesisParameters(s.Genesis.PatientPowDifficultyBits, s.Genesis.FacilityPowDifficultyBits, s.Genesis.MaxGrantDays, s.MaxClockSkewSeconds * 1000L));
        var options = new LedgerOptions
        {
            DatabasePath = Path.Combine(data.Value.DataFolderFullPath, LedgerFileName),
            Storage = s.Storage,
            Sequencer = new SequencerOptions
            {
                MaxBlockTransactions = s.MaxBlockTransactions,
                BlockInterval = TimeSpan.FromMilliseconds(s.BlockIntervalMilliseconds),
                MempoolCapacity = s.MempoolCapacity,
            },
            OnFault = fault => logger.LogError(fault.Error, "Ledger ordering fault at {Stage}, block {Height}", fault.Stage, fault.Height),
        };
        if (network?.Value is { IsRaft: true } n)
        {
            // A consortium member: the chain starts from the shared genesis file, and this node's key (its facility
            // key) seals blocks when it leads and is its TLS identity towards the other members.
            var (self, members) = n.Endpoints();
            var sequencer = options.Sequencer;
            options = options with
            {
                Ordering = context => Raft = new RaftOrdering(new RaftOrderingOptions
                {
                    NodeKey = sealer, Self = self, Members = members, DataFolder = data.Value.DataFolderFullPath, Blocks = sequencer,
                    LoggerFactory = loggerFactory,
                }, context),
            };
            _engine = LedgerEngine.OpenReplica(options, n.ReadGenesisFile(), sealer, clock);
            logger.LogInformation("Ledger node {Node} orders by Raft with {Members} members", n.NodeId, members.Count);
        }
        else _engine = LedgerEngine.Open(options, genesis, sealer, clock);
        logger.LogInformation("Ledger '{Chain}' open at height {Height} with {Count} transactions ({Path})",
            _engine.Genesis.ChainId, _engine.Height, _engine.TransactionCount, options.DatabasePath);
    }

    /// <summary>
    /// Shutdown: transactions still queued are refused with <c>ShuttingDown</c>, blocks already sealed are committed
    /// (each is one SQLite transaction: committed whole or, on a failure, not at all), and the store folds its WAL in and
    /// closes; the log says where the chain ended.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var engine = _engine;
        if (engine is null) return;
        logger.LogInformation("Ledger stopping: refusing new submissions, finishing {Pending} queued", engine.Pending);
        var height = engine.Height;
        await DisposeAsync();
        logger.LogInformation("Ledger closed cleanly at height {Height}", Math.Max(height, engine.Height));
    }

    public async ValueTask DisposeAsync()
    {
        var engine = Interlocked.Exchange(ref _engine, null);
        if (engine is not null) await engine.DisposeAsync();
    }
}
