using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SslOptions = DotNext.Net.Security.SslOptions;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// Raft ordering among approved facility nodes (DotNext 6.12, TCP transport with mutual TLS). The leader batches
/// submitted transactions, seals a block with this node's key on the committed head and replicates the sealed bytes
/// as one Raft log entry; every node, the leader included, applies committed entries through
/// <see cref="LedgerStateMachine"/>, which re-verifies each block before writing it. A submission on any node is
/// checked statelessly by the engine, then ordered locally when this node leads or forwarded to the leader over the
/// authenticated <see cref="ForwardingChannel"/>; the submitter's receipt comes once its block committed here.
/// </summary>
/// <remarks>
/// A leader seals one block at a time and waits until it has applied it before sealing the next, so it always
/// builds on a head every node reaches by the same log. A new leader first commits an empty entry and applies the
/// whole log, so it never seals on a head that misses a block a former leader got committed.
/// </remarks>
public sealed class RaftOrdering : IOrderingService
{
    private readonly RaftOrderingOptions _options;
    private readonly OrderingContext _context;
    private readonly ILogger _logger;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate;
    private readonly LedgerStateMachine _stateMachine;
    private readonly WriteAheadLog _wal;
    private readonly RaftCluster _cluster;
    private readonly ForwardingChannel _channel;
    private readonly Channel<Queued> _mempool;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Receipt>> _awaiting = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _started;
    private readonly Task _leaderLoop;
    private int _pending;

    public RaftOrdering(RaftOrderingOptions options, OrderingContext context)
    {
        _options = options;
        _context = context;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RaftOrdering>();
        _certificate = NodeCertificates.Create(options.NodeKey);
        _mempool = Channel.CreateBounded<Queued>(new BoundedChannelOptions(options.Blocks.MempoolCapacity) { SingleReader = true });
        context.Committed += OnCommitted;

        var smFolder = new DirectoryInfo(Path.Combine(options.DataFolder, "raft-state"));
        smFolder.Create();
        _stateMachine = new LedgerStateMachine(smFolder, context.Applier, OnApplied);
        // The write-ahead log reads the restored snapshot when it is built, so restore first.
        _stateMachine.RestoreAsync().AsTask().GetAwaiter().GetResult();
        _wal = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(options.DataFolder, "raft-wal") }, _stateMachine);

        var ssl = new SslOptions();
        var server = NodeCertificates.ServerOptions(_certificate, context.IsApprovedFacility, Refused);
        var client = NodeCertificates.ClientOptions(_certificate, context.IsApprovedFacility, Refused);
        ssl.ServerOptions.ServerCertificate = server.ServerCertificate;
        ssl.ServerOptions.ClientCertificateRequired = true;
        ssl.ServerOptions.RemoteCertificateValidationCallback = server.RemoteCertificateValidationCallback;
        ssl.ServerOptions.EnabledSslProtocols = server.EnabledSslProtocols;
        ssl.ServerOptions.CertificateRevocationCheckMode = server.CertificateRevocationCheckMode;
        ssl.ClientOptions.TargetHost = client.TargetHost;
        ssl.ClientOptions.ClientCertificates = client.ClientCertificates;
        ssl.ClientOptions.LocalCertificateSelectionCallback = client.LocalCertificateSelectionCallback;
        ssl.ClientOptions.RemoteCertificateValidationCallback = client.RemoteCertificateValidationCallback;
        ssl.ClientOptions.EnabledSslProtocols = client.EnabledSslProtocols;
        ssl.ClientOptions.CertificateRevocationCheckMode = client.CertificateRevocationCheckMode;

        var configuration = new RaftCluster.TcpConfiguration(options.Self.Raft)
        {
            ColdStart = false,
            LowerElectionTimeout = options.LowerElectionTimeoutMs,
            UpperElectionTimeout = options.UpperElectionTimeoutMs,
            RequestTimeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,
            HeartbeatThreshold = options.HeartbeatThreshold,
            ConfigurationStorage = null, // in-memory: the initial members below
            SslOptions = ssl,
            LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance,
        };
        var members = ((InMemoryClusterConfigurationStorage<EndPoint>)configuration.ConfigurationStorage!).CreateInitialConfigurationBuilder();
        foreach (var m in options.Members) members.Add(m.Raft);
        members.Build();
        _cluster = new RaftCluster(configuration) { AuditTrail = _wal };

        _channel = new ForwardingChannel(options.Self.Forward, server, client, HandleForwarded, m => _logger.LogWarning("{Message}", m));
        _started = _cluster.StartAsync(_stop.Token);
        _leaderLoop = Task.Run(LeaderLoop);
    }

    private void Refused(string why) => _logger.LogWarning("Node authentication refused: {Reason}", why);

    public int Pending => Volatile.Read(ref _pending);

    /// <summary>True while this node leads (and may seal).</summary>
    public bool IsLeader
    {
        get
        {
            try { return _cluster.Leader is { IsRemote: false } && !_cluster.LeadershipToken.IsCancellationRequested; }
            catch (ObjectDisposedException) { return false; }
        }
    }

    /// <summary>leader, follower, or candidate (no leader known).</summary>
    public string Role => IsLeader ? "leader" : _cluster.Leader is null ? "candidate" : "follower";

    public long Term => _cluster.Term;

    /// <summary>The Raft endpoint of the leader this node knows, or null.</summary>
    public EndPoint? Leader => _cluster.Leader?.EndPoint;

    /// <summary>This node's status line (<c>node status</c>).</summary>
    public NodeStatusReport Status(LedgerEngine engine)
        => new(_context.NodeId, Role, Term, engine.Height, HealthPortal.Ledger.Crypto.Base64Url.Encode(engine.Reader.Head().Hash), _options.Members.Count);

    // ---- submitting ---------------------------------------------------------------------------------------------

    public async ValueTask<SubmitResult> SubmitAsync(ParsedTransaction transaction, CancellationToken cancellationToken = default)
    {
        var id = transaction.Tx.IdText;
        var waiter = _awaiting.GetOrAdd(id, _ => new TaskCompletionSource<Receipt>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            byte[]? wire = null;
            for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
            {
                if (_context.ReceiptOf(id) is { } already) return SubmitResult.Committed(already);
                if (_stop.IsCancellationRequested) return SubmitResult.Refused(LedgerError.ShuttingDown, "the ledger is shutting down");
                ForwardReply reply;
                if (IsLeader)
                {
                    reply = await OrderLocally(transaction, cancellationToken).ConfigureAwait(false);
                }
                else if (LeaderForward() is { } leader)
                {
                    wire ??= System.Text.Encoding.UTF8.GetBytes(transaction.Tx.ToJsonString());
                    try
                    {
                        reply = await _channel.SendAsync(leader, wire, cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        _logger.LogDebug("Forwarding to {Leader} failed: {Message}", leader, e.Message);
                        reply = new ForwardReply(ForwardStatus.NotLeader);
                    }
                }
                else reply = new ForwardReply(ForwardStatus.NotLeader);

                switch (reply.Status)
                {
                    case ForwardStatus.Committed:
                        return await AwaitLocalCommit(id, waiter, cancellationToken).ConfigureAwait(false);
                    case ForwardStatus.Refused when reply.Error == LedgerError.DuplicateTransaction && attempt > 1:
                        // An earlier attempt's block committed after all (its leader lost the lead while replicating).
                        return await AwaitLocalCommit(id, waiter, cancellationToken).ConfigureAwait(false);
                    case ForwardStatus.Refused:
                        return SubmitResult.Refused(reply.Error, reply.Message ?? reply.Error.ToString());
                    default:
                        await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
            return SubmitResult.Refused(LedgerError.Busy, $"network busy: no leader ordered the transaction after {_options.MaxAttempts} attempts; try again shortly");
        }
        finally
        {
            if (!waiter.Task.IsCompleted) _awaiting.TryRemove(new KeyValuePair<string, TaskCompletionSource<Receipt>>(id, waiter));
        }
    }

    private async Task<SubmitResult> AwaitLocalCommit(string id, TaskCompletionSource<Receipt> waiter, CancellationToken cancellationToken)
    {
        if (_context.ReceiptOf(id) is { } receipt) return SubmitResult.Committed(receipt);
        try
        {
            return SubmitResult.Committed(await waiter.Task.WaitAsync(_options.CommitWait, cancellationToken).ConfigureAwait(false));
        }
        catch (TimeoutException)
        {
            return _context.ReceiptOf(id) is { } late
                ? SubmitResult.Committed(late)
                : SubmitResult.Refused(LedgerError.Busy, $"network busy: the leader ordered the transaction but it has not committed on this node within {_options.CommitWait.TotalSeconds:0} s");
        }
    }

    private EndPoint? LeaderForward()
    {
        if (_cluster.Leader is not { IsRemote: true } leader) return null;
        foreach (var m in _options.Members)
            if (m.Raft.Equals(leader.EndPoint)) return m.Forward;
        return null;
    }

    private async Task<ForwardReply> OrderLocally(ParsedTransaction transaction, CancellationToken cancellationToken)
    {
        if (_context.Applier.Halt is { } halt)
            return new ForwardReply(ForwardStatus.Refused, LedgerError.LedgerHalted, $"the leader halted at block {halt.Height}");
        var pending = new Queued(transaction);
        // A leader that is stopping sends its submitters to the next leader rather than refusing them.
        if (_stop.IsCancellationRequested) return new ForwardReply(ForwardStatus.NotLeader);
        if (!_mempool.Writer.TryWrite(pending))
            return _stop.IsCancellationRequested ? new ForwardReply(ForwardStatus.NotLeader) : new ForwardReply(ForwardStatus.Refused, LedgerError.Busy, $"the ledger is busy: {_options.Blocks.MempoolCapacity} transactions are waiting; try again shortly");
        Interlocked.Increment(ref _pending);
        try
        {
            // Bounded: a leader that loses the lead answers its batch, but a stalled one must not hold a submitter forever.
            return await pending.Outcome.Task.WaitAsync(_options.CommitWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new ForwardReply(ForwardStatus.NotLeader);
        }
    }

    /// <summary>A transaction another node forwarded: checked statelessly here, then ordered if this node leads.</summary>
    private async Task<ForwardReply> HandleForwarded(byte[] wire, CancellationToken cancellationToken)
    {
        if (!IsLeader) return new ForwardReply(ForwardStatus.NotLeader);
        var parsed = TransactionCodec.Parse(wire);
        if (!parsed.IsSuccess) return new ForwardReply(ForwardStatus.Refused, parsed.Error, parsed.Message);
        var checkedTx = _context.Check(parsed.Value!);
        if (!checkedTx.IsSuccess) return new ForwardReply(ForwardStatus.Refused, checkedTx.Error, checkedTx.Message);
        if (_context.ReceiptOf(parsed.Value!.IdText) is not null)
            return new ForwardReply(ForwardStatus.Refused, LedgerError.DuplicateTransaction, $"transaction {parsed.Value.IdText} is already on the ledger");
        return await OrderLocally(checkedTx.Value!, cancellationToken).ConfigureAwait(false);
    }

    private void OnCommitted(CommittedBlock block)
    {
        foreach (var tx in block.Transactions)
            if (_awaiting.TryRemove(tx.IdText, out var waiter) && _context.ReceiptOf(tx.IdText) is { } receipt)
                waiter.TrySetResult(receipt);
    }

    private void OnApplied(BlockApplyResult result)
    {
        _logger.LogDebug("Applied entry: block {Height} applied={Applied} already={Already}", result.Block?.Height, result.IsApplied, result.AlreadyApplied);
        if (result.Refusal is { } refusal)
            _logger.LogCritical("Raft entry refused: {Refusal}", refusal);
    }

    // ---- leading ------------------------------------------------------------------------------------------------

    private async Task LeaderLoop()
    {
        try
        {
            await _started.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _context.ReportFault(new OrderingFault("replicate", -1, e));
            return;
        }
        var batch = new List<Queued>(_options.Blocks.MaxBlockTransactions);
        while (!_stop.IsCancellationRequested)
        {
            CancellationToken lead;
            try
            {
                lead = await _cluster.WaitForLeadershipAsync(_stop.Token).ConfigureAwait(false);
                _logger.LogInformation("Won leadership in term {Term}; settling the log (applied {Applied}, committed {Committed})",
                    _cluster.Term, _wal.LastAppliedIndex, _wal.LastCommittedEntryIndex);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            // Leading ends when the term is lost or the node stops.
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(lead, _stop.Token);
            lead = leading.Token;
            try
            {
                // Settle the log first: commit a mark of this term and apply everything before it.
                await _cluster.ReplicateAsync(new BinaryLogEntry { Term = _cluster.Term, Content = ReadOnlyMemory<byte>.Empty }, lead).ConfigureAwait(false);
                await WaitAllApplied(lead).ConfigureAwait(false);
                _logger.LogInformation("Leading term {Term} at height {Height}", _cluster.Term, _context.Height);
                while (!lead.IsCancellationRequested)
                {
                    await NextBatch(batch, lead).ConfigureAwait(false);
                    await SealAndReplicate(batch, lead).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or NotLeaderException or ObjectDisposedException || lead.IsCancellationRequested)
            {
                // Lost the lead (or stopping): the batch in hand retries through the new leader.
                foreach (var p in batch) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
                batch.Clear();
            }
            catch (Exception e)
            {
                _context.ReportFault(new OrderingFault("replicate", _context.Height + 1, e));
                foreach (var p in batch) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
                batch.Clear();
                await Task.Delay(_options.RetryDelay).ConfigureAwait(false);
            }
        }
        while (_mempool.Reader.TryRead(out var left)) left.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
    }

    private async Task NextBatch(List<Queued> batch, CancellationToken lead)
    {
        batch.Clear();
        var reader = _mempool.Reader;
        if (!await reader.WaitToReadAsync(lead).ConfigureAwait(false)) throw new OperationCanceledException("the mempool closed: stopping");
        if (reader.Count < _options.Blocks.MaxBlockTransactions) await Task.Delay(_options.Blocks.BlockInterval, lead).ConfigureAwait(false);
        while (batch.Count < _options.Blocks.MaxBlockTransactions && reader.TryRead(out var p)) batch.Add(p);
        Interlocked.Add(ref _pending, -batch.Count);
    }

    private async Task SealAndReplicate(List<Queued> batch, CancellationToken lead)
    {
        if (_context.Applier.Halt is { } halt)
        {
            foreach (var p in batch) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.Refused, LedgerError.LedgerHalted, $"the leader halted at block {halt.Height}"));
            batch.Clear();
            return;
        }
        var built = _context.Builder.Build(batch.ConvertAll(p => p.Transaction));
        for (var i = 0; i < batch.Count; i++)
            if (built.Refusals[i] is { } refusal) batch[i].Outcome.TrySetResult(new ForwardReply(ForwardStatus.Refused, refusal.Error, refusal.Message));
        if (built.Block is not { } block)
        {
            batch.Clear();
            return;
        }
        var bytes = _options.ReplicatedBytes?.Invoke(block) ?? block.ToBytes();
        // Completes once a majority has the entry (committed); throws when this node is no longer the leader.
        await _cluster.ReplicateAsync(new BinaryLogEntry { Term = _cluster.Term, Content = bytes }, lead).ConfigureAwait(false);
        _logger.LogDebug("Replicated block {Height}; applied {Applied} of {Committed}", block.Height, _wal.LastAppliedIndex, _wal.LastCommittedEntryIndex);
        // Apply before the next block is sealed on the head (the state machine applies asynchronously).
        await WaitAllApplied(lead).ConfigureAwait(false);
        _logger.LogDebug("Block {Height} applied here: height {Local}", block.Height, _context.Height);
        var ordered = _context.Height >= block.Height && _context.Applier.Halt is null;
        foreach (var i in built.Accepted)
            batch[i].Outcome.TrySetResult(ordered
                ? new ForwardReply(ForwardStatus.Committed)
                : new ForwardReply(ForwardStatus.Refused, LedgerError.LedgerHalted, $"block {block.Height} was refused on the leader"));
        batch.Clear();
    }

    private async Task WaitAllApplied(CancellationToken lead)
    {
        var deadline = DateTime.UtcNow + _options.CommitWait;
        while (_wal.LastAppliedIndex < _wal.LastCommittedEntryIndex)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the log did not apply in time");
            await Task.Delay(1, lead).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _context.Committed -= OnCommitted;
        await _stop.CancelAsync().ConfigureAwait(false);
        _mempool.Writer.TryComplete();
        try { await _started.ConfigureAwait(false); } catch (Exception) { /* a start that failed was reported */ }
        await _leaderLoop.ConfigureAwait(false);
        await _channel.DisposeAsync().ConfigureAwait(false);
        try { await _cluster.StopAsync(CancellationToken.None).ConfigureAwait(false); } catch (Exception e) { _logger.LogDebug("Raft stop: {Message}", e.Message); }
        await _cluster.DisposeAsync().ConfigureAwait(false);
        await _wal.DisposeAsync().ConfigureAwait(false);
        await _stateMachine.DisposeAsync().ConfigureAwait(false);
        foreach (var waiter in _awaiting.Values) waiter.TrySetCanceled();
        _certificate.Dispose();
        _stop.Dispose();
    }

    private sealed class Queued(ParsedTransaction transaction)
    {
        public ParsedTransaction Transaction { get; } = transaction;
        public TaskCompletionSource<ForwardReply> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
