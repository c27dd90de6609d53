using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// The embedded ordering: one sequencer thread takes transactions from a bounded mempool, applies the rules in
/// arrival order and seals a block when <see cref="SequencerOptions.MaxBlockTransactions"/> wait or
/// <see cref="SequencerOptions.BlockInterval"/> has passed; one commit thread writes each sealed block in one SQLite
/// transaction and only then answers each submitter with its receipt.
/// </summary>
/// <remarks>
/// The two threads form a pipeline: while block N is being written and fsynced, the sequencer already applies the
/// rules to block N+1 on top of N's uncommitted state (<see cref="StateOverlay"/> layering) and links it to N's
/// header. Blocks commit strictly in order and nothing is answered or published before its block has committed.
/// If a commit fails, that block and every block sealed on top of it are answered with the storage error and the
/// sequencer starts again from the last committed head. Both are dedicated threads, so a flooded thread pool (many
/// submitters verifying signatures) never delays cutting or committing a block.
/// </remarks>
public sealed class SoloSequencer : IOrderingService
{
    private readonly Channel<Waiting> _mempool;
    private readonly SequencerOptions _options;
    private readonly SqliteBlockStore _store;
    private readonly LedgerState _state;
    private readonly TransactionRules _rules;
    private readonly LedgerKeyPair _sealer;
    private readonly ChainHead _head;
    private readonly TimeProvider _clock;
    private readonly Action<CommittedBlock> _onCommitted;
    private readonly CancellationTokenSource _stop = new();
    private readonly BlockingCollection<SealedBlock> _toCommit = new(boundedCapacity: 1);
    private readonly Thread _sequencer;
    private readonly Thread _committer;
    private readonly TaskCompletionSource _sequencerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _committerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private long _blocks, _transactions, _refused, _rulesTicks, _sealTicks, _storeTicks, _receiptTicks;

    // Sequencer thread only: the tip the next block builds on (ahead of _head while blocks are being committed).
    private long _sealHeight, _sealTxTotal, _sealTimestamp, _sealEpoch;
    private byte[] _sealHash;
    private HeaderHistory _sealHistory;
    private StateOverlay? _lastSealed;

    // Incremented by the commit thread when a block fails to commit: blocks sealed before that are void.
    private long _commitEpoch;
    private Exception? _commitFailure;

    public SoloSequencer(SequencerOptions options, SqliteBlockStore store, LedgerState state, TransactionRules rules,
        LedgerKeyPair sealer, ChainHead head, TimeProvider clock, Action<CommittedBlock> onCommitted)
    {
        _options = options;
        _store = store;
        _state = state;
        _rules = rules;
        _sealer = sealer;
        _head = head;
        _clock = clock;
        _onCommitted = onCommitted;
        _mempool = Channel.CreateBounded<Waiting>(new BoundedChannelOptions(options.MempoolCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the submitter hears Busy, nothing is dropped
        });
        _sealHash = head.Hash;
        _sealHistory = head.History.Clone();
        (_sealHeight, _sealTxTotal, _sealTimestamp) = (head.Height, head.TxTotal, head.Timestamp);
        _sequencer = new Thread(SequenceLoop) { IsBackground = true, Name = "ledger-sequencer" };
        _committer = new Thread(CommitLoop) { IsBackground = true, Name = "ledger-commit" };
        _committer.Start();
        _sequencer.Start();
    }

    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Where the sequencer's time went so far (rules and seal on the sequencer thread, the rest on the commit thread).</summary>
    public SequencerStats Stats
    {
        get
        {
            var commit = _store.CommitTicks;
            return new SequencerStats(Volatile.Read(ref _blocks), Volatile.Read(ref _transactions), Volatile.Read(ref _refused),
                Stopwatch.GetElapsedTime(0, Volatile.Read(ref _rulesTicks)), Stopwatch.GetElapsedTime(0, Volatile.Read(ref _sealTicks)),
                Stopwatch.GetElapsedTime(0, Volatile.Read(ref _storeTicks) - commit), Stopwatch.GetElapsedTime(0, commit),
                Stopwatch.GetElapsedTime(0, Volatile.Read(ref _receiptTicks)));
        }
    }

    public ValueTask<SubmitResult> SubmitAsync(ParsedTransaction transaction, CancellationToken cancellationToken = default)
    {
        if (_stop.IsCancellationRequested)
            return ValueTask.FromResult(SubmitResult.Refused(LedgerError.ShuttingDown, "the ledger is shutting down"));
        var pending = new Waiting(transaction);
        if (!_mempool.Writer.TryWrite(pending))
            return ValueTask.FromResult(SubmitResult.Refused(LedgerError.Busy,
                $"the ledger is busy: {_options.MempoolCapacity} transactions are waiting; try again shortly"));
        Interlocked.Increment(ref _pending);
        // Cancellation only stops the wait: once queued, the transaction may still commit.
        return new ValueTask<SubmitResult>(pending.Completion.Task.WaitAsync(cancellationToken));
    }

    // ---- sequencer thread ---------------------------------------------------------------------------------------

    private void SequenceLoop()
    {
        var reader = _mempool.Reader;
        var batch = new List<Waiting>(_options.MaxBlockTransactions);
        try
        {
            while (WaitForTransactions(reader))
            {
                var started = Stopwatch.GetTimestamp();
                while (reader.Count < _options.MaxBlockTransactions && Stopwatch.GetElapsedTime(started) < _options.BlockInterval
                       && !_stop.IsCancellationRequested)
                    Thread.Sleep(1);
                if (_stop.IsCancellationRequested) break;
                batch.Clear();
                while (batch.Count < _options.MaxBlockTransactions && reader.TryRead(out var p)) batch.Add(p);
                Interlocked.Add(ref _pending, -batch.Count);
                SealedBlock? block;
                try
                {
                    block = Seal(batch);
                }
                catch (Exception e)
                {
                    // A bug, not a refusal: answer this batch rather than leave its submitters waiting, and go on.
                    foreach (var p in batch) p.Completion.TrySetException(e);
                    continue;
                }
                if (block is not null) _toCommit.Add(block);
            }
        }
        finally
        {
            _toCommit.CompleteAdding();
            while (reader.TryRead(out var p))
                p.Completion.TrySetResult(SubmitResult.Refused(LedgerError.ShuttingDown, "the ledger shut down before this transaction was sealed"));
            _sequencerStopped.TrySetResult();
        }
    }

    private bool WaitForTransactions(ChannelReader<Waiting> reader)
    {
        if (reader.Count > 0) return true;
        try
        {
            return reader.WaitToReadAsync(_stop.Token).AsTask().GetAwaiter().GetResult() && !_stop.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private SealedBlock? Seal(List<Waiting> batch)
    {
        var t0 = Stopwatch.GetTimestamp();
        var epoch = Volatile.Read(ref _commitEpoch);
        if (epoch != _sealEpoch)
        {
            // A block failed to commit: everything sealed after the committed head is void; build on the head again.
            _sealEpoch = epoch;
            _sealHash = _head.Hash;
            _sealHistory = _head.History.Clone();
            (_sealHeight, _sealTxTotal, _sealTimestamp) = (_head.Height, _head.TxTotal, _head.Timestamp);
            _lastSealed = null;
        }

        var overlay = new StateOverlay(_state, _lastSealed);
        var proposer = overlay.Node(_sealer.Id);
        if (proposer is null || proposer.Status != NodeStatus.Approved)
        {
            foreach (var p in batch)
                p.Completion.TrySetResult(SubmitResult.Refused(LedgerError.NodeNotApproved, "this node is not an approved facility and may not seal blocks"));
            return null;
        }

        var height = _sealHeight + 1;
        var timestamp = Math.Max(_clock.GetUtcNow().ToUnixTimeMilliseconds(), _sealTimestamp);
        var accepted = new List<Waiting>(batch.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in batch)
        {
            var tx = p.Transaction.Tx;
            if (!ids.Add(tx.IdText) || overlay.HasUncommittedTransaction(tx.IdText) || _store.ContainsTransaction(tx.Id))
            {
                p.Completion.TrySetResult(SubmitResult.Refused(LedgerError.DuplicateTransaction, $"transaction {tx.IdText} is already on the ledger"));
                continue;
            }
            var verdict = _rules.Apply(p.Transaction, overlay, new BlockContext(height, timestamp, accepted.Count));
            if (verdict.IsValid) accepted.Add(p);
            else p.Completion.TrySetResult(SubmitResult.Refused(verdict));
        }
        var t1 = Stopwatch.GetTimestamp();
        Volatile.Write(ref _rulesTicks, _rulesTicks + (t1 - t0));
        Volatile.Write(ref _refused, _refused + batch.Count - accepted.Count);
        if (accepted.Count == 0) return null;
        if (accepted.Count < ids.Count) ids = [.. accepted.Select(p => p.Transaction.Tx.IdText)];
        overlay.TransactionIds = ids;

        var transactions = accepted.ConvertAll(p => p.Transaction.Tx);
        var tree = new BlockMerkleTree(transactions.ConvertAll(t => t.Id));
        var sigRoot = BlockHeader.SignatureRoot(transactions.Select(t => t.StoredSignatures));
        var header = new BlockHeader(BlockHeader.CurrentVersion, _state.Genesis.ChainId, height, _sealHash, tree.Root, sigRoot,
            transactions.Count, _sealTxTotal + transactions.Count, timestamp, _sealer.Id, _sealHistory.Root(), null);
        var headerBytes = header.CanonicalBytes();
        var block = new StoredBlock(header, headerBytes, _sealer.Sign(headerBytes), BlockHeader.HashOf(headerBytes), _sealTxTotal, transactions.Count);

        _sealHeight = height;
        _sealHash = block.Hash;
        _sealTxTotal += transactions.Count;
        _sealTimestamp = timestamp;
        _sealHistory.Append(block.Hash);
        _lastSealed = overlay;
        Volatile.Write(ref _sealTicks, _sealTicks + (Stopwatch.GetTimestamp() - t1));
        return new SealedBlock(epoch, block, accepted, transactions, tree, overlay);
    }

    // ---- commit thread ------------------------------------------------------------------------------------------

    private void CommitLoop()
    {
        try
        {
            foreach (var sealedBlock in _toCommit.GetConsumingEnumerable())
                Commit(sealedBlock);
        }
        finally
        {
            _committerStopped.TrySetResult();
        }
    }

    private void Commit(SealedBlock s)
    {
        var t2 = Stopwatch.GetTimestamp();
        var height = s.Block.Header.Height;
        if (s.Epoch != Volatile.Read(ref _commitEpoch))
        {
            foreach (var p in s.Accepted)
                p.Completion.TrySetException(new LedgerStorageException($"block {height} was not stored: a block before it failed to commit", _commitFailure!));
            return;
        }
        try
        {
            _store.Append(s.Block, s.Transactions, s.Overlay);
        }
        catch (Exception e)
        {
            // The SQLite transaction rolled back: nothing of this block exists, so every submitter hears so, and so do
            // the submitters of any block already sealed on top of it.
            _commitFailure = e;
            Interlocked.Increment(ref _commitEpoch);
            foreach (var p in s.Accepted)
                p.Completion.TrySetException(new LedgerStorageException($"block {height} could not be stored", e));
            return;
        }

        var t3 = Stopwatch.GetTimestamp();
        Volatile.Write(ref _storeTicks, _storeTicks + (t3 - t2));
        s.Overlay.MergeInto(height);
        _head.Height = height;
        _head.Hash = s.Block.Hash;
        _head.TxTotal += s.Transactions.Count;
        _head.Timestamp = s.Block.Header.Timestamp;
        _head.History.Append(s.Block.Hash);

        var header = s.Block.Header;
        for (var i = 0; i < s.Accepted.Count; i++)
        {
            var tx = s.Transactions[i];
            var keys = new Dictionary<string, Jwk>(StringComparer.Ordinal) { [_sealer.Id] = _sealer.PublicJwk };
            foreach (var sig in tx.Signatures)
                if ((StatelessValidator.EmbeddedKey(s.Accepted[i].Transaction.Payload, sig.Kid) ?? _state.ResolveKey(sig.Kid)) is { } jwk)
                    keys[sig.Kid] = jwk;
            var receipt = new Receipt(tx, height, i, s.Tree.InclusionProof(i), header, s.Block.Signature, keys);
            s.Accepted[i].Completion.TrySetResult(SubmitResult.Committed(receipt));
        }
        try
        {
            _onCommitted(new CommittedBlock(s.Block, s.Transactions));
        }
        catch (Exception)
        {
            // Handlers must not throw; one that does must not stop the ledger from committing the next block.
        }
        Volatile.Write(ref _receiptTicks, _receiptTicks + (Stopwatch.GetTimestamp() - t3));
        Volatile.Write(ref _transactions, _transactions + s.Transactions.Count);
        Volatile.Write(ref _blocks, _blocks + 1);
    }

    public async ValueTask DisposeAsync()
    {
        _mempool.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        // The sequencer stops cutting blocks; the commit thread finishes the blocks already sealed, then ends.
        await Task.WhenAll(_sequencerStopped.Task, _committerStopped.Task).ConfigureAwait(false);
        _toCommit.Dispose();
        _stop.Dispose();
    }

    private sealed class Waiting(ParsedTransaction transaction)
    {
        public ParsedTransaction Transaction { get; } = transaction;
        public TaskCompletionSource<SubmitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record SealedBlock(long Epoch, StoredBlock Block, List<Waiting> Accepted, List<Transaction> Transactions,
        BlockMerkleTree Tree, StateOverlay Overlay);
}
