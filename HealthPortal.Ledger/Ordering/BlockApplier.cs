using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Applies a block sealed by another node (its <see cref="SealedBlockCodec"/> bytes) only after re-verifying all of
/// it against this node's own chain and state: the header's form, chain, height, previous-hash link and history root;
/// that the proposer is an approved facility here and its signature verifies; every transaction's id (recomputed from
/// its body), signatures and rules in block order; the Merkle roots of ids and signatures. Then the block is written
/// in one SQLite transaction. The first block that fails halts the applier: it is reported (the engine raises its
/// tamper alarm) and no later block is applied, since each would build on the refused one.
/// </summary>
public sealed class BlockApplier
{
    private readonly LedgerState _state;
    private readonly StatelessValidator _validator;
    private readonly TransactionRules _rules;
    private readonly PublicKeyCache _keys;
    private readonly SqliteBlockStore _store;
    private readonly BlockCommitter _committer;
    private readonly Action<BlockRefusal> _onTamper;
    private readonly Action<OrderingFault> _reportFault;
    /// <summary>Blocks with fewer transactions are checked on the applying thread alone (no parallel overhead).</summary>
    private const int ParallelFrom = 8;

    private readonly Lock _gate = new();
    private BlockRefusal? _halt;
    // Stage timings (Stopwatch ticks), written under _gate, read by Stats.
    private long _blocks, _transactions, _own, _signatureTicks, _rulesTicks, _storeTicks, _publishTicks;

    internal BlockApplier(LedgerState state, StatelessValidator validator, TransactionRules rules, PublicKeyCache keys, SqliteBlockStore store,
        BlockCommitter committer, Action<BlockRefusal> onTamper, Action<OrderingFault> reportFault)
    {
        _state = state;
        _validator = validator;
        _rules = rules;
        _keys = keys;
        _store = store;
        _committer = committer;
        _onTamper = onTamper;
        _reportFault = reportFault;
    }

    /// <summary>The refusal that halted this applier, or null while it applies blocks.</summary>
    public BlockRefusal? Halt => Volatile.Read(ref _halt);

    // Blocks this node sealed in its current sealing session, by height, with the exact bytes it replicated.
    private readonly Dictionary<long, (byte[] Bytes, SealedBlock Block)> _sealedHere = [];
    private bool _sessionOpen;

    /// <summary>
    /// Starts a sealing session of this node (a Raft leader's term): the blocks it then registers with
    /// <see cref="Expect"/> may be applied as sealed. Drops whatever an earlier session registered.
    /// </summary>
    public void StartSealingSession()
    {
        lock (_gate)
        {
            _sealedHere.Clear();
            _sessionOpen = true;
        }
    }

    /// <summary>
    /// Registers a block this node has just sealed, with the exact bytes it replicates. When that entry comes back to
    /// be applied here — byte for byte, on the head it was built on, with every block of the session before it
    /// applied the same way — it is written as sealed instead of being checked a second time: its transactions passed
    /// this node's stateless checks (form, signatures) when they were submitted or forwarded, and the builder applied
    /// the rules on exactly that state, so a second check could only repeat them. Anything else (other bytes, another
    /// head, a block of the session taken the long way) is re-verified in full and closes the session. Only the node
    /// that sealed a block skips its re-check: every other node re-verifies all of it.
    /// </summary>
    public void Expect(SealedBlock block, byte[] bytes)
    {
        lock (_gate)
            if (_sessionOpen) _sealedHere[block.Height] = (bytes, block);
    }

    /// <summary>The block this node sealed for exactly these bytes on <paramref name="head"/>, or null (then the session is closed).</summary>
    private SealedBlock? TakeSealedHere(ReadOnlySpan<byte> sealedBytes, BlockTip head)
    {
        if (!_sessionOpen) return null;
        if (_sealedHere.Remove(head.Height + 1, out var mine) && sealedBytes.SequenceEqual(mine.Bytes)
            && mine.Block.Block.Header.Previous.AsSpan().SequenceEqual(head.Hash))
            return mine.Block;
        // From here on a block of this session could build on state that was applied another way: check them all.
        _sessionOpen = false;
        _sealedHere.Clear();
        return null;
    }

    /// <summary>Cumulative stage counters (see <see cref="ApplierStats"/>).</summary>
    public ApplierStats Stats
    {
        get
        {
            lock (_gate)
                return new ApplierStats(_blocks, _transactions, _own, TimeSpan.FromTicks(ToTimeSpanTicks(_signatureTicks)), TimeSpan.FromTicks(ToTimeSpanTicks(_rulesTicks)),
                    TimeSpan.FromTicks(ToTimeSpanTicks(_storeTicks)), TimeSpan.FromTicks(ToTimeSpanTicks(_publishTicks)));
        }
    }

    private static long ToTimeSpanTicks(long stopwatchTicks) => (long)(stopwatchTicks * ((double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency));

    /// <summary>
    /// Re-verifies and commits one block. A block already on this chain with the same hash is reported as already
    /// applied (Raft replays committed entries after a restart). Thread-safe; blocks are applied one at a time.
    /// </summary>
    public BlockApplyResult Apply(ReadOnlySpan<byte> sealedBytes)
    {
        lock (_gate)
        {
            if (_halt is { } halted)
                return BlockApplyResult.Refused(new BlockRefusal(halted.Height, BlockRefusalCode.Halted, $"this node halted at block {halted.Height}: {halted.Reason}"));
            var head = _committer.Tip();
            var mine = TakeSealedHere(sealedBytes, head);
            var checkedBlock = mine is not null ? BlockApplyResult.Applied(mine) : Check(sealedBytes, head);
            if (mine is not null) _own++;
            if (checkedBlock.AlreadyApplied) return checkedBlock;
            if (checkedBlock.Refusal is { } refusal)
            {
                Volatile.Write(ref _halt, refusal);
                _onTamper(refusal);
                return BlockApplyResult.Refused(refusal);
            }
            var block = checkedBlock.Block!;
            var storing = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                _committer.Commit(block);
            }
            catch (Exception e)
            {
                _reportFault(new OrderingFault("apply", block.Height, e));
                return BlockApplyResult.Refused(new BlockRefusal(block.Height, BlockRefusalCode.StorageFailed, "the store could not write the block: " + e.Message));
            }
            var publishing = System.Diagnostics.Stopwatch.GetTimestamp();
            _committer.Publish(block);
            _storeTicks += publishing - storing;
            _publishTicks += System.Diagnostics.Stopwatch.GetTimestamp() - publishing;
            _blocks++;
            _transactions += block.Transactions.Count;
            return BlockApplyResult.Applied(block);
        }
    }

    private BlockApplyResult Check(ReadOnlySpan<byte> sealedBytes, BlockTip head)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var decoded = SealedBlockCodec.Decode(sealedBytes);
        if (!decoded.IsSuccess) return Refuse(head.Height + 1, BlockRefusalCode.Malformed, decoded.Message!, decoded.Error);
        var (headerBytes, signature, transactions) = (decoded.Value!.HeaderBytes, decoded.Value.Signature, decoded.Value.Transactions);
        var parsedHeader = BlockHeader.Parse(headerBytes);
        if (!parsedHeader.IsSuccess) return Refuse(head.Height + 1, BlockRefusalCode.Malformed, "header: " + parsedHeader.Message);
        var header = parsedHeader.Value!;
        var height = header.Height;
        var hash = BlockHeader.HashOf(headerBytes);

        if (height <= head.Height)
        {
            // Seen before: identical is a replay, anything else at a taken height is a fork.
            var existing = _store.ReadBlock(height);
            return existing is not null && existing.Hash.AsSpan().SequenceEqual(hash)
                ? BlockApplyResult.Duplicate()
                : Refuse(height, BlockRefusalCode.BrokenLink, $"height {height} already holds another block on this node");
        }
        if (height != head.Height + 1) return Refuse(height, BlockRefusalCode.WrongHeight, $"this node's head is {head.Height}; block {height} leaves a gap");
        switch (BlockChecks.Link(header, _state.Genesis.ChainId, head.Hash, head.History.Root()))
        {
            case BlockFault.WrongChain: return Refuse(height, BlockRefusalCode.WrongChain, $"header names chain '{header.Chain}', this node's is '{_state.Genesis.ChainId}'");
            case BlockFault.BrokenPrevious: return Refuse(height, BlockRefusalCode.BrokenLink, "previous-header hash does not link to this node's head");
            case BlockFault.BrokenHistory: return Refuse(height, BlockRefusalCode.BrokenLink, "history root does not match this node's headers");
        }
        if (header.Genesis is not null) return Refuse(height, BlockRefusalCode.Malformed, "only block 0 may name a genesis hash");

        switch (BlockChecks.Proposer(header, headerBytes, signature, _state, _keys))
        {
            case BlockFault.ProposerNotApproved: return Refuse(height, BlockRefusalCode.ProposerNotApproved, $"proposer {header.Proposer} is not an approved facility on this node's ledger");
            case BlockFault.BadProposerSignature: return Refuse(height, BlockRefusalCode.BadProposerSignature, "the proposer's signature on the header does not verify");
        }
        if (header.TxCount != transactions.Count || header.TxTotal != head.TxTotal + transactions.Count)
            return Refuse(height, BlockRefusalCode.Malformed, $"header counts {header.TxCount} transactions ending at {header.TxTotal}; the block carries {transactions.Count} after {head.TxTotal}");

        // Form and signatures first, for the whole block: they need no state beyond the content-addressed key
        // directory, so the outcome is the same as checking them transaction by transaction in the loop below, which
        // still reports the first transaction (in block order) that fails either way.
        // In parallel for a block of any size: this is where a follower's CPU goes, and a block applied sooner is a
        // receipt given sooner.
        var stateless = new Result<ParsedTransaction>[transactions.Count];
        if (transactions.Count < ParallelFrom)
            for (var i = 0; i < transactions.Count; i++) stateless[i] = _validator.Validate(transactions[i], checkClock: false);
        else
            Parallel.For(0, transactions.Count, i => stateless[i] = _validator.Validate(transactions[i], checkClock: false));
        var verified = System.Diagnostics.Stopwatch.GetTimestamp();
        _signatureTicks += verified - started;
        try
        {
            return CheckInOrder(header, headerBytes, signature, hash, transactions, stateless, head);
        }
        finally
        {
            _rulesTicks += System.Diagnostics.Stopwatch.GetTimestamp() - verified;
        }
    }

    private BlockApplyResult CheckInOrder(BlockHeader header, byte[] headerBytes, byte[] signature, byte[] hash, IReadOnlyList<Transaction> transactions,
        Result<ParsedTransaction>[] stateless, BlockTip head)
    {
        var height = header.Height;
        var overlay = new StateOverlay(_state);
        var parsed = new List<ParsedTransaction>(transactions.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < transactions.Count; i++)
        {
            var tx = transactions[i];
            if (!ids.Add(tx.IdText) || _store.ContainsTransaction(tx.Id))
                return Refuse(height, BlockRefusalCode.DuplicateTransaction, $"transaction {i} ({tx.IdText}) is already on the ledger", LedgerError.DuplicateTransaction);
            var (checkedTx, fault, error, problem) = BlockChecks.Transaction(stateless[i], _rules, overlay, new BlockContext(height, header.Timestamp, i));
            if (checkedTx is null)
                return Refuse(height, fault == BlockFault.RuleViolation ? BlockRefusalCode.RuleViolation : BlockRefusalCode.InvalidTransaction, problem!, error);
            parsed.Add(checkedTx);
        }
        var tree = new BlockMerkleTree([.. transactions.Select(t => t.Id)]);
        switch (BlockChecks.Roots(header, tree, transactions.Select(t => t.StoredSignatures)))
        {
            case BlockFault.MerkleRootMismatch: return Refuse(height, BlockRefusalCode.MerkleRootMismatch, "Merkle root of the transaction ids does not match the header");
            case BlockFault.SignatureRootMismatch: return Refuse(height, BlockRefusalCode.SignatureRootMismatch, "the transactions' signatures are not the ones the header committed to");
        }
        overlay.TransactionIds = ids;

        var stored = new StoredBlock(header, headerBytes, signature, hash, head.TxTotal, transactions.Count);
        return BlockApplyResult.Applied(new SealedBlock(stored, parsed, tree, overlay));
    }

    private static BlockApplyResult Refuse(long height, BlockRefusalCode code, string reason, LedgerError transactionError = LedgerError.None)
        => BlockApplyResult.Refused(new BlockRefusal(height, code, reason, transactionError));
}
