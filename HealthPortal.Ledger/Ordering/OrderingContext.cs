using HealthPortal.Ledger.Receipts;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// What a ledger engine hands its ordering service: the block builder (seal with this node's key), the block
/// applier (re-verify and commit a block sealed elsewhere), the committed head, the clock and the fault channel.
/// </summary>
public sealed class OrderingContext
{
    internal OrderingContext(BlockBuilder builder, BlockApplier applier, BlockCommitter committer, TimeProvider clock, Action<OrderingFault> reportFault,
        Func<string, Receipt?> receiptOf, Func<string, bool> isApprovedFacility,
        Func<Transactions.Transaction, Result<Rules.ParsedTransaction>> check)
    {
        Check = check;
        IsApprovedFacility = isApprovedFacility;
        Builder = builder;
        Applier = applier;
        Committer = committer;
        Clock = clock;
        ReportFault = reportFault;
        ReceiptOf = receiptOf;
    }

    public BlockBuilder Builder { get; }

    /// <summary>Re-verifies and commits blocks sealed by any node (the Raft state machine applies every entry through it, the leader's too).</summary>
    public BlockApplier Applier { get; }
    internal BlockCommitter Committer { get; }
    public TimeProvider Clock { get; }

    /// <summary>Reports a fault no submitter's code describes (to the node's log).</summary>
    public Action<OrderingFault> ReportFault { get; }

    /// <summary>The receipt of a committed transaction by its id text, or null when it has not committed here.</summary>
    public Func<string, Receipt?> ReceiptOf { get; }

    /// <summary>
    /// Whether a node key id is an approved facility on this node's committed state (a multi-node ordering admits
    /// peers by it, so a revoked node is refused as soon as its revocation commits here).
    /// </summary>
    public Func<string, bool> IsApprovedFacility { get; }

    /// <summary>
    /// The stateless checks (form, clock, proof of work, signatures) of a transaction that arrived from another node:
    /// a leader checks what a follower forwards before sealing it, so a lying follower cannot get a forged signature
    /// into a block that every honest node would then refuse.
    /// </summary>
    public Func<Transactions.Transaction, Result<Rules.ParsedTransaction>> Check { get; }

    /// <summary>This node's key id (the proposer of the blocks it seals).</summary>
    public string NodeId => Builder.ProposerId;

    /// <summary>Height of the committed head.</summary>
    public long Height => Committer.Head.Height;

    /// <summary>Raised after each block commits on this node, whichever way it was ordered.</summary>
    public event Action<CommittedBlock>? Committed
    {
        add => Committer.Committed += value;
        remove => Committer.Committed -= value;
    }
}
