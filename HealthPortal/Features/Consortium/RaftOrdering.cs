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
/// A leader keeps up to <see cref="RaftOrderingOptions.PipelineDepth"/> blocks in flight: block N+1 is sealed on N's
/// uncommitted state (<see cref="BlockPipeline"/>) and appended after N while N replicates. That is safe because the
/// Raft log is ordered: an entry commits only with every entry before it, so N+1 can never commit without its parent
/// N. When anything goes wrong (the term ends, an append or a wait fails), every block in flight is abandoned
/// together — its submitters retry through the next leader — and the next term starts a new session on the settled
/// committed head. A block refused by re-verification halts the ledger on every honest node, so nothing built on it
/// is applied either. A new leader first commits an empty entry and applies the whole log, so it never seals on a
/// head that misses a block a former leader got committed.
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
    private readonly MemberDirectory _directory;
    // Membership changes go one at a time (DotNext refuses concurrent ones); a revocation that commits wakes the reconciler.
    private readonly SemaphoreSlim _membership = new(1, 1);
    private readonly Channel<bool> _reconcile = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _announceLoop;
    private readonly Task _membershipLoop;
    private int _pending;
    private bool _admitted;
    // Stage counters (Stopwatch ticks) for Stats; forwarded checks run on many threads, the rest on the leader loop.
    private long _forwarded, _forwardTicks, _sealed, _sealedTransactions, _sealTicks, _appendTicks, _appliedTicks;

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
        _directory = new MemberDirectory(Path.Combine(options.DataFolder, "raft-members.json"));
        _stateMachine = new LedgerStateMachine(smFolder, context.Applier, OnApplied, _directory);
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

        var initial = InitialMembers();
        // A node missing from its own configuration (a facility joining) starts "frozen" in DotNext: it takes the
        // log from the leader but never stands for election until a configuration that names it arrives.
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
        foreach (var m in initial) members.Add(m.Raft);
        members.Build();
        _cluster = new RaftCluster(configuration) { AuditTrail = _wal };

        _channel = new ForwardingChannel(options.Self.Forward, server, client, HandleForwarded, m => _logger.LogWarning("{Message}", m));
        _started = _cluster.StartAsync(_stop.Token);
        _leaderLoop = Task.Run(LeaderLoop);
        _announceLoop = Task.Run(AnnounceLoop);
        _membershipLoop = Task.Run(MembershipLoop);
    }

    /// <summary>
    /// The voting members this node starts from: the configured ones (<see cref="RaftOrderingOptions.Members"/>) and
    /// every member the replicated directory knows whose facility is still approved on the local replica — so a node
    /// that joined after the consortium's start, and the nodes that saw it join, find it again after a restart, and a
    /// revoked one is not brought back. The leader's configuration replaces it as soon as the leader is heard.
    /// </summary>
    private List<RaftMember> InitialMembers()
    {
        var revoked = _directory.Members.Where(kv => !_context.IsApprovedFacility(kv.Key)).Select(kv => kv.Value.Raft).ToHashSet();
        var all = _options.Members.Where(m => !revoked.Contains(m.Raft)).ToList();
        foreach (var (node, member) in _directory.Members)
            if (_context.IsApprovedFacility(node) && !all.Any(m => m.Raft.Equals(member.Raft))) all.Add(member);
        return all;
    }

    private void Refused(string why) => _logger.LogWarning("Node authentication refused: {Reason}", why);

    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Cumulative stage counters of this node's ordering (see <see cref="RaftOrderingStats"/>).</summary>
    public RaftOrderingStats Stats => new(Interlocked.Read(ref _forwarded), Elapsed(Interlocked.Read(ref _forwardTicks)), Interlocked.Read(ref _sealed),
        Interlocked.Read(ref _sealedTransactions), Elapsed(Interlocked.Read(ref _sealTicks)), Elapsed(Interlocked.Read(ref _appendTicks)), Elapsed(Interlocked.Read(ref _appliedTicks)));

    private static TimeSpan Elapsed(long stopwatchTicks) => TimeSpan.FromTicks((long)(stopwatchTicks * ((double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency)));

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
        => new(_context.NodeId, Role, Term, engine.Height, HealthPortal.Ledger.Crypto.Base64Url.Encode(engine.Reader.Head().Hash), VotingMembers.Count);

    /// <summary>The Raft endpoints of the voting members as this node's current configuration has them.</summary>
    public IReadOnlyList<EndPoint> VotingMembers
    {
        get
        {
            try { return [.. _cluster.Members.Select(m => m.EndPoint)]; }
            catch (ObjectDisposedException) { return []; }
        }
    }

    /// <summary>True once this node is a voting member (a joining node is not until the leader has added it).</summary>
    public bool IsVotingMember => Volatile.Read(ref _admitted) && VotingMembers.Contains(_options.Self.Raft);

    /// <summary>Which facility listens where, as the replicated directory has it.</summary>
    public IReadOnlyDictionary<string, RaftMember> Directory => _directory.Members;

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
                    // A connect or handshake to the leader that timed out (the channel cancels it, not the caller)
                    // is a leader that cannot be reached now: retried like NotLeader. A bench run at load average 70
                    // crashed its submitter on this one.
                    catch (Exception e) when (e is IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
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
        foreach (var m in _directory.Members.Values.Concat(_options.Members))
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
        CancellationToken lead;
        try { lead = _cluster.LeadershipToken; }
        catch (ObjectDisposedException) { return new ForwardReply(ForwardStatus.NotLeader); }
        // When this node stops leading, a transaction still waiting in its mempool is nobody's to seal: its submitter
        // goes to the next leader now, not after CommitWait. (Found in CI: a leader that resigned after its facility's
        // revocation held forwarded transactions for the full 30 s.) If its block did commit after all, the retry finds
        // it as a duplicate and waits for it locally, as for a block in flight when a term ends.
        using var leadLost = lead.Register(static state => ((Queued)state!).Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader)), pending);
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
    private async Task<ForwardReply> HandleForwarded(byte[] wire, string? peer, CancellationToken cancellationToken)
    {
        if (!IsLeader) return new ForwardReply(ForwardStatus.NotLeader);
        if (MemberDirectory.IsJoinRequest(wire))
        {
            if (peer is null || MemberDirectory.Decode(wire) is not { } announced)
                return new ForwardReply(ForwardStatus.Refused, LedgerError.MalformedTransaction, "a join request needs a ledger key and ip:port endpoints");
            return await AdmitAsync(peer, announced.Member, cancellationToken).ConfigureAwait(false);
        }
        var parsed = TransactionCodec.Parse(wire);
        if (!parsed.IsSuccess) return new ForwardReply(ForwardStatus.Refused, parsed.Error, parsed.Message);
        var checking = System.Diagnostics.Stopwatch.GetTimestamp();
        var checkedTx = _context.Check(parsed.Value!);
        Interlocked.Add(ref _forwardTicks, System.Diagnostics.Stopwatch.GetTimestamp() - checking);
        Interlocked.Increment(ref _forwarded);
        if (!checkedTx.IsSuccess) return new ForwardReply(ForwardStatus.Refused, checkedTx.Error, checkedTx.Message);
        if (_context.ReceiptOf(parsed.Value!.IdText) is not null)
            return new ForwardReply(ForwardStatus.Refused, LedgerError.DuplicateTransaction, $"transaction {parsed.Value.IdText} is already on the ledger");
        return await OrderLocally(checkedTx.Value!, cancellationToken).ConfigureAwait(false);
    }

    private void OnCommitted(CommittedBlock block)
    {
        if (block.Transactions.Any(t => t.Type == TxType.NodeRevoke)) _reconcile.Writer.TryWrite(true);
        List<(string Id, TaskCompletionSource<Receipt> Waiter)>? waiting = null;
        foreach (var tx in block.Transactions)
            if (_awaiting.TryRemove(tx.IdText, out var waiter)) (waiting ??= []).Add((tx.IdText, waiter));
        if (waiting is null) return;
        // This runs on the applier, which holds the next block until it returns; each receipt reads its block back
        // from the store for its inclusion proof (the bench measured 2–4 ms per transaction under load, more than
        // re-verifying its signatures), so the waiters are answered off that path. The block has committed: every
        // receipt is there to read.
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (self, list) = state;
            foreach (var (id, waiter) in list)
                if (self._context.ReceiptOf(id) is { } receipt) waiter.TrySetResult(receipt);
        }, (this, waiting), preferLocal: false);
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
        var inFlight = new Queue<InFlight>();
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
                var term = _cluster.Term;
                await _cluster.ReplicateAsync(new BinaryLogEntry { Term = term, Content = ReadOnlyMemory<byte>.Empty }, lead).ConfigureAwait(false);
                await WaitAllApplied(lead).ConfigureAwait(false);
                _logger.LogInformation("Leading term {Term} at height {Height}", term, _context.Height);
                // One sealing session per term, started on the settled head: every block of it builds on the one
                // before, and all of them are dropped together when any of them might not commit (the catch below).
                var pipeline = _context.Builder.StartPipeline();
                _context.Applier.StartSealingSession();
                Task<bool>? waiting = null;
                while (!lead.IsCancellationRequested)
                {
                    // Answer the blocks that have applied here, oldest first (they commit in log order).
                    while (inFlight.TryPeek(out var oldest) && (oldest.Applied.IsCompleted || inFlight.Count >= _options.PipelineDepth))
                        await Retire(inFlight.Dequeue(), term, lead).ConfigureAwait(false);
                    if (_mempool.Reader.Count == 0)
                    {
                        // Nothing to seal: wait for a submission, or for the oldest block in flight to apply.
                        waiting ??= _mempool.Reader.WaitToReadAsync(lead).AsTask();
                        if (inFlight.TryPeek(out var oldest)) await Task.WhenAny(waiting, oldest.Applied).ConfigureAwait(false);
                        else await waiting.ConfigureAwait(false);
                        if (waiting.IsCompleted)
                        {
                            if (!await waiting.ConfigureAwait(false)) throw new OperationCanceledException("the mempool closed: stopping");
                            waiting = null;
                        }
                        continue;
                    }
                    await NextBatch(batch, lead).ConfigureAwait(false);
                    if (await Seal(pipeline, batch, term, lead).ConfigureAwait(false) is { } sealedBlock) inFlight.Enqueue(sealedBlock);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or NotLeaderException or ObjectDisposedException || lead.IsCancellationRequested)
            {
                // Lost the lead (or stopping): the batch in hand and every block in flight retry through the new
                // leader; a block that did commit after all is found there as a duplicate and awaited locally.
                AbandonAll(batch, inFlight);
            }
            catch (Exception e)
            {
                _context.ReportFault(new OrderingFault("replicate", _context.Height + 1, e));
                AbandonAll(batch, inFlight);
                await Task.Delay(_options.RetryDelay).ConfigureAwait(false);
            }
        }
        while (_mempool.Reader.TryRead(out var left)) left.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
    }

    private void AbandonAll(List<Queued> batch, Queue<InFlight> inFlight)
    {
        foreach (var p in batch) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
        batch.Clear();
        while (inFlight.TryDequeue(out var f))
            foreach (var p in f.Accepted) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
        // What waits in the mempool was answered when the lead ended (OrderLocally); emptying it keeps a node that
        // may never lead again from holding those transactions and their share of the mempool's capacity.
        while (_mempool.Reader.TryRead(out var left))
        {
            Interlocked.Decrement(ref _pending);
            left.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
        }
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

    /// <summary>
    /// Seals the batch on the pipeline's tip and appends it to the log (in sealing order: each append is awaited
    /// before the next block is sealed), without waiting for the commit. Null when no transaction of it passed.
    /// </summary>
    private async Task<InFlight?> Seal(BlockPipeline pipeline, List<Queued> batch, long term, CancellationToken lead)
    {
        if (_context.Applier.Halt is { } halt)
        {
            foreach (var p in batch) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.Refused, LedgerError.LedgerHalted, $"the leader halted at block {halt.Height}"));
            batch.Clear();
            return null;
        }
        if (!_context.IsApprovedFacility(_context.NodeId) && VotingMembers.Count > 1)
        {
            // This leader's facility was revoked in a block it just applied: it may no longer seal, and it is leaving
            // the voting members (MembershipLoop) and handing over the lead. What it holds goes to the next leader, as
            // when a leader loses its term: the refusal is about this node, not about the submitted transactions.
            // (A consortium of one has no next leader: its builder's refusal, NodeNotApproved, is the answer there.)
            foreach (var p in batch) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
            batch.Clear();
            _reconcile.Writer.TryWrite(true);
            return null;
        }
        var sealing = System.Diagnostics.Stopwatch.GetTimestamp();
        var built = pipeline.Build(batch.ConvertAll(p => p.Transaction));
        for (var i = 0; i < batch.Count; i++)
            if (built.Refusals[i] is { } refusal) batch[i].Outcome.TrySetResult(new ForwardReply(ForwardStatus.Refused, refusal.Error, refusal.Message));
        var accepted = built.Accepted.Select(i => batch[i]).ToList();
        batch.Clear();
        if (built.Block is not { } block) return null;
        var bytes = _options.ReplicatedBytes?.Invoke(block) ?? block.ToBytes();
        // The block comes back through the log to be applied here like everywhere; this node built it from checked
        // transactions on this state, so it is written as sealed rather than re-verified (BlockApplier.Expect) —
        // unless a test replaces the replicated bytes, which must then be judged like any other node's.
        if (_options.ReplicatedBytes is null) _context.Applier.Expect(block, bytes);
        var appending = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Add(ref _sealTicks, appending - sealing);
        // As IRaftCluster.ReplicateAsync does — append, force a replication round, wait until applied — but split,
        // so the next block is sealed and appended while this one replicates. The appends are awaited one by one,
        // so the log holds the blocks in the order they were sealed, each after the parent it links to.
        long index;
        try
        {
            index = await _wal.AppendAsync(new BinaryLogEntry { Term = term, Content = bytes }, lead).ConfigureAwait(false);
        }
        catch
        {
            foreach (var p in accepted) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
            throw;
        }
        var appended = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Add(ref _appendTicks, appended - appending);
        Interlocked.Increment(ref _sealed);
        Interlocked.Add(ref _sealedTransactions, accepted.Count);
        _ = _cluster.ForceReplicationAsync(lead).AsTask().ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        return new InFlight(block, accepted, Committed(_wal.WaitForApplyAsync(index, lead).AsTask(), appended, lead));
    }

    /// <summary>Answers the submitters of a block in flight once it has applied here (or says why not).</summary>
    private async Task Retire(InFlight f, long term, CancellationToken lead)
    {
        try
        {
            await f.Applied.ConfigureAwait(false);
        }
        catch
        {
            foreach (var p in f.Accepted) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
            throw;
        }
        // Still this term: no other leader can have replaced the entry at that index, so what applied is this block.
        if (_cluster.Term != term || lead.IsCancellationRequested)
        {
            foreach (var p in f.Accepted) p.Outcome.TrySetResult(new ForwardReply(ForwardStatus.NotLeader));
            throw new OperationCanceledException("the term ended while the block replicated");
        }
        _logger.LogDebug("Block {Height} applied here: height {Local}", f.Block.Height, _context.Height);
        var ordered = _context.Height >= f.Block.Height && _context.Applier.Halt is null;
        foreach (var p in f.Accepted)
            p.Outcome.TrySetResult(ordered
                ? new ForwardReply(ForwardStatus.Committed)
                : new ForwardReply(ForwardStatus.Refused, LedgerError.LedgerHalted, $"block {f.Block.Height} was refused on the leader"));
    }

    /// <summary>
    /// Completes when the block has applied here. Then one more replication round goes out at once: followers learn
    /// the new commit index from the leader's next message, and without it that is the next heartbeat (or the next
    /// block), which a submitter on a follower waits for on top of everything else.
    /// </summary>
    private async Task Committed(Task applied, long appended, CancellationToken lead)
    {
        await applied.ConfigureAwait(false);
        Interlocked.Add(ref _appliedTicks, System.Diagnostics.Stopwatch.GetTimestamp() - appended);
        if (!lead.IsCancellationRequested)
            _ = _cluster.ForceReplicationAsync(lead).AsTask().ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
    }

    private sealed record InFlight(SealedBlock Block, List<Queued> Accepted, Task Applied);

    private async Task WaitAllApplied(CancellationToken lead)
    {
        var deadline = DateTime.UtcNow + _options.CommitWait;
        while (_wal.LastAppliedIndex < _wal.LastCommittedEntryIndex)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the log did not apply in time");
            await Task.Delay(1, lead).ConfigureAwait(false);
        }
    }

    // ---- membership ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Adds an approved facility to the directory and the voting configuration (leader only). Idempotent: a record
    /// already replicated and a member already voting change nothing, so a node that announces again after a restart
    /// or a leader change is simply told it is in.
    /// </summary>
    private async Task<ForwardReply> AdmitAsync(string nodeId, RaftMember member, CancellationToken cancellationToken)
    {
        // The TLS handshake already required it; checked again because approval is what admission means.
        if (!_context.IsApprovedFacility(nodeId))
            return new ForwardReply(ForwardStatus.Refused, LedgerError.NodeNotApproved, $"node {nodeId} is not an approved facility on the leader's replica");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        await _membership.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            if (!IsLeader) return new ForwardReply(ForwardStatus.NotLeader);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, _cluster.LeadershipToken);
            var lead = leading.Token;
            if (!_directory.Holds(nodeId, member))
            {
                await _cluster.ReplicateAsync(new BinaryLogEntry { Term = _cluster.Term, Content = MemberDirectory.Entry(nodeId, member) }, lead).ConfigureAwait(false);
                await WaitAllApplied(lead).ConfigureAwait(false);
            }
            if (!VotingMembers.Contains(member.Raft))
            {
                _logger.LogInformation("Adding approved facility {Node} at {Raft} to the voting members", nodeId, member.Raft);
                // DotNext first brings the new member's log up to date (warm-up rounds), then commits the configuration.
                if (!await _cluster.AddMemberAsync(member.Raft, lead).ConfigureAwait(false)) return new ForwardReply(ForwardStatus.NotLeader);
            }
            return new ForwardReply(ForwardStatus.Committed);
        }
        catch (Exception e) when (e is OperationCanceledException or NotLeaderException or TimeoutException or ObjectDisposedException)
        {
            return new ForwardReply(ForwardStatus.NotLeader);
        }
        finally
        {
            _membership.Release();
        }
    }

    /// <summary>
    /// Until the leader has it in the directory and the voting configuration, a node announces its endpoints to the
    /// members it knows (the leader first). Those handshakes are refused while its facility is not approved, so the
    /// first one that succeeds follows the commit of its <c>node.approve</c>. Backs off to 2 s; ends with the node.
    /// </summary>
    private async Task AnnounceLoop()
    {
        try { await _started.ConfigureAwait(false); } catch (Exception) { return; }
        var request = MemberDirectory.JoinRequest(_options.Self);
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (await AnnounceOnce(request).ConfigureAwait(false))
                {
                    Volatile.Write(ref _admitted, true);
                    _logger.LogInformation("Node {Node} is a voting member", _context.NodeId);
                    return;
                }
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            delay = TimeSpan.FromMilliseconds(Math.Min(2000, delay.TotalMilliseconds * 1.5));
        }
    }

    private async Task<bool> AnnounceOnce(byte[] request)
    {
        if (IsLeader) return (await AdmitAsync(_context.NodeId, _options.Self, _stop.Token).ConfigureAwait(false)).Status == ForwardStatus.Committed;
        var targets = new List<EndPoint>();
        if (LeaderForward() is { } leader) targets.Add(leader);
        targets.AddRange(_options.Members.Concat(_directory.Members.Values).Where(m => !m.Raft.Equals(_options.Self.Raft)).Select(m => (EndPoint)m.Forward).Distinct());
        foreach (var target in targets.Distinct())
        {
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                bounded.CancelAfter(_options.CommitWait);
                var reply = await _channel.SendAsync(target, request, bounded.Token).ConfigureAwait(false);
                if (reply.Status == ForwardStatus.Committed) return true;
                if (reply.Status == ForwardStatus.Refused) _logger.LogDebug("Join refused by {Target}: {Message}", target, reply.Message);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException && !_stop.IsCancellationRequested)
            {
                // Not approved yet (the handshake is refused), or that member is down: try the next.
                _logger.LogDebug("Join announcement to {Target} failed: {Message}", target, e.Message);
            }
        }
        return false;
    }

    /// <summary>
    /// While this node leads: removes from the voting configuration every member whose facility is no longer approved
    /// here (its <c>node.revoke</c> committed), at the start of each term and whenever a revocation commits — so a
    /// revoked node stops counting toward the quorum, and a leader change or restart finishes a removal left undone.
    /// </summary>
    private async Task MembershipLoop()
    {
        try { await _started.ConfigureAwait(false); } catch (Exception) { return; }
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var lead = await _cluster.WaitForLeadershipAsync(_stop.Token).ConfigureAwait(false);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(lead, _stop.Token);
                while (!leading.IsCancellationRequested)
                {
                    if (!await RemoveRevoked(leading.Token).ConfigureAwait(false))
                        await Task.Delay(_options.RetryDelay, leading.Token).ConfigureAwait(false); // a removal failed: retry
                    else await _reconcile.Reader.ReadAsync(leading.Token).ConfigureAwait(false);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or NotLeaderException or ObjectDisposedException or TimeoutException)
            {
                // Lost the lead: the next leader reconciles.
            }
        }
    }

    /// <summary>One reconciliation pass; false when a removal did not go through (the caller retries).</summary>
    private async Task<bool> RemoveRevoked(CancellationToken lead)
    {
        await _membership.WaitAsync(lead).ConfigureAwait(false);
        try
        {
            foreach (var member in _cluster.Members.Where(m => m.IsRemote).ToList())
            {
                if (_directory.NodeAt(member.EndPoint) is not { } node || _context.IsApprovedFacility(node)) continue;
                _logger.LogInformation("Removing revoked facility {Node} at {Raft} from the voting members", node, member.EndPoint);
                if (!await _cluster.RemoveMemberAsync(member.EndPoint, lead).ConfigureAwait(false)) return false;
            }
            if (!_context.IsApprovedFacility(_context.NodeId) && VotingMembers.Contains(_options.Self.Raft))
            {
                // This leader's own facility was revoked: its builder already refuses to seal, and connections opened
                // before the revocation outlive the TLS check, so it must leave by itself — remove itself from the
                // configuration (committed by the others), then hand over the lead.
                _logger.LogWarning("This node's facility {Node} was revoked: leaving the voting members", _context.NodeId);
                if (!await _cluster.RemoveMemberAsync(_options.Self.Raft, lead).ConfigureAwait(false)) return false;
                await ((DotNext.Net.Cluster.ICluster)_cluster).ResignAsync(lead).ConfigureAwait(false);
            }
            return true;
        }
        finally
        {
            _membership.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _context.Committed -= OnCommitted;
        await _stop.CancelAsync().ConfigureAwait(false);
        _mempool.Writer.TryComplete();
        try { await _started.ConfigureAwait(false); } catch (Exception) { /* a start that failed was reported */ }
        await _leaderLoop.ConfigureAwait(false);
        await _announceLoop.ConfigureAwait(false);
        await _membershipLoop.ConfigureAwait(false);
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
