using System.Net;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Consortium;

/// <summary>One ordering member: where its Raft transport and its forwarding channel listen.</summary>
public sealed record RaftMember(IPEndPoint Raft, IPEndPoint Forward);

/// <summary>How a node takes part in Raft ordering.</summary>
public sealed record RaftOrderingOptions
{
    /// <summary>This node's ledger key: it seals blocks when leader and is its TLS identity.</summary>
    public required LedgerKeyPair NodeKey { get; init; }

    public required RaftMember Self { get; init; }

    /// <summary>All voting members, this node included, the same list on every node.</summary>
    public required IReadOnlyList<RaftMember> Members { get; init; }

    /// <summary>Where the Raft write-ahead log lives (one folder per node, next to its ledger.db).</summary>
    public required string DataFolder { get; init; }

    // ConnectTimeout < RequestTimeout < LowerElectionTimeout: over TCP a vote round waits on every member, so a dead
    // member must time out well inside an election, or elections churn. 300–600 ms elections were stable on loopback.
    public int LowerElectionTimeoutMs { get; init; } = 300;
    public int UpperElectionTimeoutMs { get; init; } = 600;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Heartbeat period as a share of the election timeout. A follower learns that a block committed (and applies
    /// it, and answers its submitter) only with the leader's next message, so a short heartbeat is submit latency
    /// through a follower; DotNext's default 0.5 made it ~150 ms.
    /// </summary>
    public double HeartbeatThreshold { get; init; } = 0.1;

    public SequencerOptions Blocks { get; init; } = new();

    /// <summary>
    /// How many sealed blocks the leader keeps in flight (appended, not yet applied here). 1 is the old one-at-a-time
    /// leader; more lets block N+1 be sealed and replicated while N's round trip and fsyncs run.
    /// </summary>
    public int PipelineDepth { get; init; } = 4;

    /// <summary>A submission tries at most this many times to reach a leader (each a forward or a local order) before "network busy".</summary>
    public int MaxAttempts { get; init; } = 30;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a submitter waits for its block to commit on this node once the leader ordered it.</summary>
    public TimeSpan CommitWait { get; init; } = TimeSpan.FromSeconds(30);

    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Test seam: turns the block this node sealed as leader into the bytes it replicates. Tests play a Byzantine
    /// leader with it (a wrong root, a broken link, a forged signature); every honest node re-verifies and refuses.
    /// </summary>
    public Func<SealedBlock, byte[]>? ReplicatedBytes { get; init; }
}
