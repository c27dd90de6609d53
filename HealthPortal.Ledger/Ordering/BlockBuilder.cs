using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Cuts and signs a block from transactions that passed the stateless checks: refuses repeats, applies the rules in
/// batch order on top of the state the block builds on, then computes the Merkle roots, links the header to its tip
/// and signs it with this node's key. The solo sequencer and the Raft leader both seal through it.
/// </summary>
public sealed class BlockBuilder
{
    private readonly LedgerState _state;
    private readonly TransactionRules _rules;
    private readonly SqliteBlockStore _store;
    private readonly LedgerKeyPair _sealer;
    private readonly TimeProvider _clock;
    private readonly BlockCommitter _committer;

    internal BlockBuilder(LedgerState state, TransactionRules rules, SqliteBlockStore store, LedgerKeyPair sealer, TimeProvider clock, BlockCommitter committer)
    {
        _state = state;
        _rules = rules;
        _store = store;
        _sealer = sealer;
        _clock = clock;
        _committer = committer;
    }

    /// <summary>The key id that signs the blocks this builder seals.</summary>
    public string ProposerId => _sealer.Id;

    /// <summary>
    /// Seals a block on the committed head. Precondition: no other block is being sealed on that head until this one
    /// has committed or been dropped (the caller orders its blocks one at a time).
    /// </summary>
    public BuiltBlock Build(IReadOnlyList<ParsedTransaction> batch) => Build(batch, _committer.Tip(), null);

    /// <summary>A session that seals blocks one on another from the committed head, before they commit (<see cref="BlockPipeline"/>).</summary>
    public BlockPipeline StartPipeline() => new(this, _committer.Tip());

    /// <summary>
    /// Seals a block on <paramref name="tip"/>, whose state is the committed state plus <paramref name="parent"/>'s
    /// uncommitted changes (the block sealed on the tip before, or null when the tip has committed).
    /// </summary>
    internal BuiltBlock Build(IReadOnlyList<ParsedTransaction> batch, BlockTip tip, StateOverlay? parent)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var refusals = new SubmitResult?[batch.Count];
        var overlay = new StateOverlay(_state, parent);
        var proposer = overlay.Node(_sealer.Id);
        if (proposer is null || proposer.Status != NodeStatus.Approved)
        {
            Array.Fill(refusals, SubmitResult.Refused(LedgerError.NodeNotApproved, "this node is not an approved facility and may not seal blocks"));
            return new BuiltBlock(null, refusals, []);
        }

        var height = tip.Height + 1;
        // Block times never go backwards, even if this node's clock does.
        var timestamp = Math.Max(_clock.GetUtcNow().ToUnixTimeMilliseconds(), tip.Timestamp);
        var accepted = new List<int>(batch.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            var tx = batch[i].Tx;
            if (!ids.Add(tx.IdText) || overlay.HasUncommittedTransaction(tx.IdText) || _store.ContainsTransaction(tx.Id))
            {
                refusals[i] = SubmitResult.Refused(LedgerError.DuplicateTransaction, $"transaction {tx.IdText} is already on the ledger");
                continue;
            }
            var verdict = _rules.Apply(batch[i], overlay, new BlockContext(height, timestamp, accepted.Count));
            if (verdict.IsValid) accepted.Add(i);
            else refusals[i] = SubmitResult.Refused(verdict);
        }
        var rulesTicks = System.Diagnostics.Stopwatch.GetTimestamp() - started;
        if (accepted.Count == 0) return new BuiltBlock(null, refusals, accepted) { RulesTicks = rulesTicks };
        var parsed = accepted.ConvertAll(i => batch[i]);
        overlay.TransactionIds = [.. parsed.Select(p => p.Tx.IdText)];

        var transactions = parsed.ConvertAll(p => p.Tx);
        var tree = new BlockMerkleTree(transactions.ConvertAll(t => t.Id));
        var sigRoot = BlockHeader.SignatureRoot(transactions.Select(t => t.StoredSignatures));
        var header = new BlockHeader(BlockHeader.CurrentVersion, _state.Genesis.ChainId, height, tip.Hash, tree.Root, sigRoot,
            transactions.Count, tip.TxTotal + transactions.Count, timestamp, _sealer.Id, tip.History.Root(), null);
        var headerBytes = header.CanonicalBytes();
        var block = new StoredBlock(header, headerBytes, _sealer.Sign(headerBytes), BlockHeader.HashOf(headerBytes), tip.TxTotal, transactions.Count);
        return new BuiltBlock(new SealedBlock(block, parsed, tree, overlay), refusals, accepted) { RulesTicks = rulesTicks };
    }
}
