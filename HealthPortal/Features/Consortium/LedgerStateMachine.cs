using System.Buffers;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// The Raft state machine of a ledger node: each committed log entry is one sealed block, applied through the
/// engine's <see cref="BlockApplier"/> — re-verified against this node's own chain and state, then written in one
/// SQLite transaction. Every node applies this way, the leader included, so no node trusts another's blocks.
/// </summary>
/// <remarks>
/// The ledger database is the state: nothing is kept in memory, so the snapshot is empty and a restart replays the
/// log, where blocks already on the chain are "already applied" (identical hash), not an alarm. Empty entries are
/// the marks a new leader commits to settle the log before it seals on the head; they change nothing.
/// Directory entries (<see cref="MemberDirectory"/>: which node listens where) go to the directory, not the ledger.
/// </remarks>
public sealed class LedgerStateMachine(DirectoryInfo snapshots, BlockApplier applier, Action<BlockApplyResult> applied, MemberDirectory directory) : SimpleStateMachine(snapshots)
{
    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsConfiguration || !entry.TryGetPayload(out var payload) || payload.IsEmpty) return ValueTask.FromResult(false);
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        if (MemberDirectory.IsEntry(bytes))
        {
            // A malformed record changes nothing: it only maps endpoints, and the ledger never depends on it.
            if (MemberDirectory.Decode(bytes) is { } record) directory.Apply(record.Node, record.Member);
            return ValueTask.FromResult(false);
        }
        applied(applier.Apply(bytes));
        return ValueTask.FromResult(false);
    }

    protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token) => ValueTask.CompletedTask;

    protected override ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token) => ValueTask.CompletedTask;
}
