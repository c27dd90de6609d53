using HealthPortal.Ledger.Receipts;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// What a ledger engine hands its ordering service: the block builder (seal with this node's key), the block
/// applier (re-verify and commit a block sealed elsewhere), the committed head, the clock and the fault channel.
/// </summary>
public sealed class OrderingContext
{
    internal OrderingContext(BlockBuilder builder, BlockApplier applier, BlockCommitter committer, TimeProvider clock, Action<OrderingFault> reportFault,
        Func<string, Receipt?> receiptOf)
    {
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

    /// <summary>Height of the committed head.</summary>
    public long Height => Committer.Head.Height;

    /// <summary>Raised after each block commits on this node, whichever way it was ordered.</summary>
    public event Action<CommittedBlock>? Committed
    {
        add => Committer.Committed += value;
        remove => Committer.Committed -= value;
    }
}
