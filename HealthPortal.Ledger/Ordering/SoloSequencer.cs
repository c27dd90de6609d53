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
/// arrival order, seals a block when <see cref="SequencerOptions.MaxBlockTransactions"/> wait or
/// <see cref="SequencerOptions.BlockInterval"/> has passed, commits it in one SQLite transaction and only then
/// answers each submitter with its receipt.
/// </summary>
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
    private readonly Task _loop;
    private int _pending;
    private long _blocks, _transactions, _refused, _rulesTicks, _sealTicks, _storeTicks, _receiptTicks;

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
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Where the sequencer thread's time went so far.</summary>
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

    private async Task RunAsync()
    {
        var reader = _mempool.Reader;
        var batch = new List<Waiting>(_options.MaxBlockTransactions);
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                var started = Stopwatch.GetTimestamp();
                while (reader.Count < _options.MaxBlockTransactions && Stopwatch.GetElapsedTime(started) < _options.BlockInterval)
                    await Task.Delay(1, _stop.Token).ConfigureAwait(false);
                batch.Clear();
                while (batch.Count < _options.MaxBlockTransactions && reader.TryRead(out var p)) batch.Add(p);
                Interlocked.Add(ref _pending, -batch.Count);
                Seal(batch);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            while (reader.TryRead(out var p))
                p.Completion.TrySetResult(SubmitResult.Refused(LedgerError.ShuttingDown, "the ledger shut down before this transaction was sealed"));
        }
    }

    private void Seal(List<Waiting> batch)
    {
        var proposer = _state.Node(_sealer.Id);
        if (proposer is null || proposer.Status != NodeStatus.Approved)
        {
            foreach (var p in batch)
                p.Completion.TrySetResult(SubmitResult.Refused(LedgerError.NodeNotApproved, "this node is not an approved facility and may not seal blocks"));
            return;
        }

        var t0 = Stopwatch.GetTimestamp();
        var height = _head.Height + 1;
        var timestamp = Math.Max(_clock.GetUtcNow().ToUnixTimeMilliseconds(), _head.Timestamp);
        var overlay = new StateOverlay(_state);
        var accepted = new List<Waiting>(batch.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in batch)
        {
            var tx = p.Transaction.Tx;
            if (!ids.Add(tx.IdText) || _store.ContainsTransaction(tx.Id))
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
        if (accepted.Count == 0) return;

        var transactions = accepted.ConvertAll(p => p.Transaction.Tx);
        var tree = new BlockMerkleTree(transactions.ConvertAll(t => t.Id));
        var header = new BlockHeader(BlockHeader.CurrentVersion, _state.Genesis.ChainId, height, _head.Hash, tree.Root,
            transactions.Count, _head.TxTotal + transactions.Count, timestamp, _sealer.Id, _head.History.Root(), null);
        var headerBytes = header.CanonicalBytes();
        var block = new StoredBlock(header, headerBytes, _sealer.Sign(headerBytes), BlockHeader.HashOf(headerBytes), _head.TxTotal, transactions.Count);

        var t2 = Stopwatch.GetTimestamp();
        Volatile.Write(ref _sealTicks, _sealTicks + (t2 - t1));
        try
        {
            _store.Append(block, transactions, overlay);
        }
        catch (Exception e)
        {
            // The SQLite transaction rolled back: nothing of this block exists, so every submitter hears so.
            foreach (var p in accepted)
                p.Completion.TrySetException(new LedgerStorageException($"block {height} could not be stored", e));
            return;
        }

        var t3 = Stopwatch.GetTimestamp();
        Volatile.Write(ref _storeTicks, _storeTicks + (t3 - t2));
        overlay.MergeInto(height);
        _head.Height = height;
        _head.Hash = block.Hash;
        _head.TxTotal += transactions.Count;
        _head.Timestamp = timestamp;
        _head.History.Append(block.Hash);

        for (var i = 0; i < accepted.Count; i++)
        {
            var tx = transactions[i];
            var keys = new Dictionary<string, Jwk>(StringComparer.Ordinal) { [_sealer.Id] = _sealer.PublicJwk };
            foreach (var s in tx.Signatures)
                if ((StatelessValidator.EmbeddedKey(accepted[i].Transaction.Payload, s.Kid) ?? _state.ResolveKey(s.Kid)) is { } jwk)
                    keys[s.Kid] = jwk;
            var receipt = new Receipt(tx, height, i, tree.InclusionProof(i), header, block.Signature, keys);
            accepted[i].Completion.TrySetResult(SubmitResult.Committed(receipt));
        }
        _onCommitted(new CommittedBlock(block, transactions));
        Volatile.Write(ref _receiptTicks, _receiptTicks + (Stopwatch.GetTimestamp() - t3));
        Volatile.Write(ref _transactions, _transactions + transactions.Count);
        Volatile.Write(ref _blocks, _blocks + 1);
    }

    public async ValueTask DisposeAsync()
    {
        _mempool.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Waiting(ParsedTransaction transaction)
    {
        public ParsedTransaction Transaction { get; } = transaction;
        public TaskCompletionSource<SubmitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
