using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;

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
/// The block interval is measured on the engine's <see cref="TimeProvider"/> (a timer, and a signal from submitters
/// when a block's worth is waiting), so tests move time instead of sleeping; the counters in <see cref="Stats"/>
/// stay on the stopwatch because they measure work, not waits.
/// </remarks>
public sealed class SoloSequencer : IOrderingService
{
    private readonly Channel<Waiting> _mempool;
    private readonly SequencerOptions _options;
    private readonly BlockBuilder _builder;
    private readonly BlockCommitter _committer;
    private readonly TimeProvider _clock;
    private readonly Action<OrderingFault> _reportFault;
    private readonly CancellationTokenSource _stop = new();
    private readonly BlockingCollection<SealedBatch> _toCommit = new(boundedCapacity: 1);
    // Released by submitters when a block's worth waits and by the block-interval timer; the sequencer re-checks both.
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _sequencer;
    private readonly Thread _commitThread;
    private readonly TaskCompletionSource _sequencerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _committerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private long _blocks, _transactions, _refused, _rulesTicks, _sealTicks, _storeTicks, _receiptTicks;

    // Sequencer thread only: the tip the next block builds on (ahead of the committed head while blocks are being committed).
    private BlockTip _sealTip;
    private long _sealEpoch;
    private SealedBlock? _lastSealed;

    // Incremented by the commit thread when a block fails to commit: blocks sealed before that are void.
    private long _commitEpoch;
    private Exception? _commitFailure;
    private long _failedHeight;

    /// <summary>What the operator must fix, from SQLite's primary result code (ENOSPC and EROFS arrive as FULL and READONLY).</summary>
    internal static string StorageReason(Exception e) => (e as Microsoft.Data.Sqlite.SqliteException ?? e.InnerException as Microsoft.Data.Sqlite.SqliteException)?.SqliteErrorCode switch
    {
        13 => "the data folder's disk is full",
        8 => "the data folder is read-only",
        10 => "the disk reported an I/O error",
        _ => e.Message,
    };

    /// <summary>Starts the sequencer on the engine's committed head; <paramref name="context"/> comes from the engine.</summary>
    public SoloSequencer(SequencerOptions options, OrderingContext context)
    {
        _options = options;
        _builder = context.Builder;
        _committer = context.Committer;
        _clock = context.Clock;
        _reportFault = context.ReportFault;
        _mempool = Channel.CreateBounded<Waiting>(new BoundedChannelOptions(options.MempoolCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the submitter hears Busy, nothing is dropped
        });
        _sealTip = _committer.Tip();
        _sequencer = new Thread(SequenceLoop) { IsBackground = true, Name = "ledger-sequencer" };
        _commitThread = new Thread(CommitLoop) { IsBackground = true, Name = "ledger-commit" };
        _commitThread.Start();
        _sequencer.Start();
    }
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Where the sequencer's time went so far (rules and seal on the sequencer thread, the rest on the commit thread).</summary>
    public SequencerStats Stats
    {
        get
        {
            var commit = _committer.CommitTicks;
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
        if (_mempool.Reader.Count >= _options.MaxBlockTransactions) _wake.Release();
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
                if (!WaitForBlock(reader)) break;
                batch.Clear();
                while (batch.Count < _options.MaxBlockTransactions && reader.TryRead(out var p)) batch.Add(p);
                Interlocked.Add(ref _pending, -batch.Count);
                SealedBatch? block;
                try
                {
                    block = Seal(batch);
                }
                catch (Exception e)
                {
                    // A bug, not a refusal: report it, answer this batch rather than leave its submitters waiting, and go on.
                    _reportFault(new OrderingFault("seal", _sealTip.Height + 1, e));
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

    /// <summary>
    /// Waits, from the first waiting transaction, until a block's worth waits or the block interval has passed on the
    /// clock. False when the sequencer is stopping.
    /// </summary>
    private bool WaitForBlock(ChannelReader<Waiting> reader)
    {
        // Wake-ups left from the block before (submitters release once per submission beyond a full block) are spent.
        while (_wake.Wait(0)) { }
        if (reader.Count >= _options.MaxBlockTransactions) return !_stop.IsCancellationRequested;
        var elapsed = 0;
        using var timer = _clock.CreateTimer(_ =>
        {
            Volatile.Write(ref elapsed, 1);
            _wake.Release();
        }, null, _options.BlockInterval, Timeout.InfiniteTimeSpan);
        try
        {
            while (reader.Count < _options.MaxBlockTransactions && Volatile.Read(ref elapsed) == 0)
                _wake.Wait(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return !_stop.IsCancellationRequested;
    }

    private SealedBatch? Seal(List<Waiting> batch)
    {
        var t0 = Stopwatch.GetTimestamp();
        var epoch = Volatile.Read(ref _commitEpoch);
        if (epoch != _sealEpoch)
        {
            // A block failed to commit: everything sealed after the committed head is void; build on the head again.
            _sealEpoch = epoch;
            _sealTip = _committer.Tip();
            _lastSealed = null;
        }

        var built = _builder.Build(batch.ConvertAll(p => p.Transaction), _sealTip, _lastSealed?.Changes);
        for (var i = 0; i < batch.Count; i++)
            if (built.Refusals[i] is { } refusal) batch[i].Completion.TrySetResult(refusal);
        var t1 = Stopwatch.GetTimestamp();
        Volatile.Write(ref _rulesTicks, _rulesTicks + built.RulesTicks);
        Volatile.Write(ref _sealTicks, _sealTicks + (t1 - t0 - built.RulesTicks));
        Volatile.Write(ref _refused, _refused + batch.Count - built.Accepted.Count);
        if (built.Block is not { } block) return null;

        _sealTip = _sealTip.After(block);
        _lastSealed = block;
        return new SealedBatch(epoch, block, [.. built.Accepted.Select(i => batch[i])]);
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

    private void Commit(SealedBatch s)
    {
        var t2 = Stopwatch.GetTimestamp();
        var height = s.Block.Height;
        if (s.Epoch != Volatile.Read(ref _commitEpoch))
        {
            var refusal = SubmitResult.Refused(LedgerError.StorageFailed, $"block {height} was not stored: block {_failedHeight} before it could not be written ({StorageReason(_commitFailure!)}); submit again");
            foreach (var p in s.Accepted) p.Completion.TrySetResult(refusal);
            return;
        }
        try
        {
            _committer.Commit(s.Block);
        }
        catch (Exception e)
        {
            // The SQLite transaction rolled back: nothing of this block exists, so every submitter hears so, and so do
            // the submitters of any block already sealed on top of it.
            _commitFailure = e;
            _failedHeight = height;
            Interlocked.Increment(ref _commitEpoch);
            _reportFault(new OrderingFault("commit", height, e));
            // A refusal with a code, not an exception: a full or read-only disk is an operating condition the caller
            // shows and retries, and the transaction is not on the ledger, so submitting it again is safe.
            var refusal = SubmitResult.Refused(LedgerError.StorageFailed, $"block {height} could not be stored ({StorageReason(e)}); nothing of it was kept, submit again once the node's data folder is writable");
            foreach (var p in s.Accepted) p.Completion.TrySetResult(refusal);
            return;
        }

        var t3 = Stopwatch.GetTimestamp();
        Volatile.Write(ref _storeTicks, _storeTicks + (t3 - t2));
        for (var i = 0; i < s.Accepted.Count; i++)
            s.Accepted[i].Completion.TrySetResult(SubmitResult.Committed(_committer.ReceiptFor(s.Block, i)));
        _committer.Publish(s.Block);
        Volatile.Write(ref _receiptTicks, _receiptTicks + (Stopwatch.GetTimestamp() - t3));
        Volatile.Write(ref _transactions, _transactions + s.Block.Transactions.Count);
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
        // _wake is not disposed: a block-interval timer callback already under way may still release it, and a
        // SemaphoreSlim whose wait handle was never taken holds nothing to free.
    }

    private sealed class Waiting(ParsedTransaction transaction)
    {
        public ParsedTransaction Transaction { get; } = transaction;
        public TaskCompletionSource<SubmitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record SealedBatch(long Epoch, SealedBlock Block, List<Waiting> Accepted);
}
