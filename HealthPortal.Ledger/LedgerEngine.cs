using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;

namespace HealthPortal.Ledger;

/// <summary>
/// The in-process ledger node: submit a transaction and await its receipt, query derived state, subscribe to new
/// blocks, produce and check proofs, verify the chain. Thread-safe.
/// </summary>
public sealed class LedgerEngine : IAsyncDisposable
{
    private readonly PublicKeyCache _keyCache = new();
    private readonly StatelessValidator _validator;
    private readonly IOrderingService _ordering;
    private readonly BlockApplier _applier;
    private readonly ChainHead _head;
    private BlockRefusal? _tamperAlarm;

    private LedgerEngine(LedgerOptions options, SqliteBlockStore store, LedgerState state, ChainHead head, LedgerKeyPair sealer, TimeProvider clock)
    {
        Options = options;
        Store = store;
        State = state;
        Reader = new LedgerReader(store, state);
        _head = head;
        Clock = clock;
        NodeId = sealer.Id;
        _validator = new StatelessValidator(state.Genesis.Parameters, _keyCache, state.ResolveKey, clock, state.WalletDomain, id => WalletSignatures.Facility(state.Node(id)));
        var rules = new TransactionRules(_keyCache, store);
        var reportFault = options.OnFault ?? (fault => System.Diagnostics.Trace.TraceError(fault.ToString()));
        var committer = new BlockCommitter(store, state, head, reportFault);
        // The engine's own subscribers hear first, as they did when the engine raised the event itself.
        committer.Committed += b => BlockCommitted?.Invoke(b);
        var builder = new BlockBuilder(state, rules, store, sealer, clock, committer);
        _applier = new BlockApplier(state, _validator, rules, _keyCache, store, committer, RaiseTamperAlarm, reportFault);
        var context = new OrderingContext(builder, _applier, committer, clock, reportFault, id => GetReceipt(id),
            id => state.Node(id)?.Status == NodeStatus.Approved, tx => _validator.Validate(tx));
        _ordering = options.Ordering?.Invoke(context) ?? new SoloSequencer(options.Sequencer, context);
    }

    public LedgerOptions Options { get; }

    /// <summary>The engine's storage, for the ledger's own parts and its tests; the application reads through <see cref="Reader"/>.</summary>
    internal SqliteBlockStore Store { get; }

    /// <summary>The committed derived state the rules use; the application reads it through <see cref="Reader"/>.</summary>
    internal LedgerState State { get; }

    /// <summary>Everything the application reads from the ledger, from committed state only.</summary>
    public LedgerReader Reader { get; }

    public Genesis Genesis => State.Genesis;
    public TimeProvider Clock { get; }

    /// <summary>This node's key id (it seals blocks when it is an approved facility).</summary>
    public string NodeId { get; }

    public long Height => _head.Height;
    public long TransactionCount => _head.TxTotal;
    public int Pending => _ordering.Pending;

    /// <summary>Cumulative counters of the sequencer (blocks, transactions, time per stage) since the engine opened.</summary>
    public SequencerStats SequencerStats => _ordering is SoloSequencer solo ? solo.Stats : default;

    /// <summary>Stage counters of this node's block applier (blocks ordered elsewhere, or by a replicated ordering).</summary>
    public ApplierStats ApplierStats => _applier.Stats;

    /// <summary>
    /// Set when this node refused a block sealed elsewhere because it did not verify (height, code, reason). From then
    /// on the node takes no writes (<see cref="LedgerError.LedgerHalted"/>) and keeps serving reads of what it verified.
    /// </summary>
    public BlockRefusal? TamperAlarm => Volatile.Read(ref _tamperAlarm);

    /// <summary>Raised once, on the applying thread, when <see cref="TamperAlarm"/> is set; handlers must be quick and not throw.</summary>
    public event Action<BlockRefusal>? TamperAlarmRaised;

    private void RaiseTamperAlarm(BlockRefusal refusal)
    {
        if (Interlocked.CompareExchange(ref _tamperAlarm, refusal, null) is not null) return;
        try
        {
            TamperAlarmRaised?.Invoke(refusal);
        }
        catch (Exception e)
        {
            (Options.OnFault ?? (fault => System.Diagnostics.Trace.TraceError(fault.ToString())))(new OrderingFault("alarm", refusal.Height, e));
        }
    }

    /// <summary>
    /// Re-verifies a block sealed by another node (<see cref="SealedBlockCodec"/> bytes) against this node's chain and
    /// state and, only if all of it holds, commits it. A refusal for tampering raises <see cref="TamperAlarm"/>.
    /// </summary>
    public BlockApplyResult ApplyBlock(ReadOnlySpan<byte> sealedBlock) => _applier.Apply(sealedBlock);

    /// <summary>The committed block at <paramref name="height"/> (≥ 1) in its sealed-block bytes, or null beyond the head.</summary>
    public byte[]? SealedBlockBytes(long height)
    {
        if (height < 1 || Store.ReadBlock(height) is not { } block) return null;
        var transactions = Store.ReadTransactions(block.TxFirst, block.TxCount).Select(r => r.ToTransaction().ValueOrThrow()).ToList();
        return SealedBlockCodec.Encode(block.HeaderBytes, block.Signature, transactions);
    }

    /// <summary>Raised on the ledger's commit thread after each block has committed, in height order; handlers must be quick and not throw.</summary>
    public event Action<CommittedBlock>? BlockCommitted;

    /// <summary>
    /// Opens the node's store, creating the chain from <paramref name="genesis"/> when the store is new (then
    /// <paramref name="sealer"/> must be the genesis sealer), loads the derived state and checks the head.
    /// </summary>
    /// <exception cref="LedgerCorruptException">the head fails its check.</exception>
    /// <exception cref="LedgerSchemaException">the store was written with another schema version.</exception>
    public static LedgerEngine Open(LedgerOptions options, Genesis? genesis, LedgerKeyPair sealer, TimeProvider? clock = null)
        => Open(options, genesis, () =>
        {
            if (genesis!.Sealer.Key.Thumbprint() != sealer.Id) throw new InvalidOperationException("a new chain is sealed first by its genesis sealer");
            return Blocks.SignedGenesis.Seal(genesis, sealer).ToStoredBlock();
        }, sealer, clock);

    /// <summary>
    /// Opens a replica of a consortium's chain: when the store is new, block 0 is the one the genesis sealer signed
    /// (<paramref name="genesis"/>, checked first), so <paramref name="nodeKey"/> need not be the sealer's. The node key
    /// seals blocks when this node is an approved facility (a Raft leader).
    /// </summary>
    public static LedgerEngine OpenReplica(LedgerOptions options, SignedGenesis genesis, LedgerKeyPair nodeKey, TimeProvider? clock = null)
        => Open(options, genesis.Genesis, () =>
        {
            if (genesis.Problem() is { } problem) throw new InvalidOperationException("the signed genesis does not hold: " + problem);
            return genesis.ToStoredBlock();
        }, nodeKey, clock);

    private static LedgerEngine Open(LedgerOptions options, Genesis? genesis, Func<StoredBlock> block0, LedgerKeyPair sealer, TimeProvider? clock)
    {
        clock ??= TimeProvider.System;
        var store = SqliteBlockStore.Open(options.DatabasePath, options.Storage);
        try
        {
            var stored = store.ReadGenesis();
            if (stored is null)
            {
                if (genesis is null) throw new InvalidOperationException($"{options.DatabasePath} holds no chain and no genesis was given");
                if (genesis.Check() is { IsValid: false } bad) throw new InvalidOperationException(bad.ToString());
                store.InitializeGenesis(genesis, block0());
                stored = genesis;
            }
            else if (genesis is not null && !stored.Hash().AsSpan().SequenceEqual(genesis.Hash()))
            {
                // Configuration may change parameters only for new chains; an existing chain keeps its genesis.
                genesis = stored;
            }

            // The head is checked before it is parsed for use, so a damaged head is reported as corruption.
            var state = store.LoadState(stored, store.ReadRawHead()!.Value.Height);
            var report = ChainVerifier.VerifyHead(store, state);
            if (!report.IsValid) throw new LedgerCorruptException(report);
            var headBlock = store.Head()!;

            var history = new HeaderHistory();
            foreach (var row in store.ReadRawBlocks()) history.Append(row.Hash);
            var head = new ChainHead
            {
                Height = headBlock.Header.Height, Hash = headBlock.Hash, TxTotal = headBlock.Header.TxTotal,
                Timestamp = headBlock.Header.Timestamp, History = history,
            };
            return new LedgerEngine(options, store, state, head, sealer, clock);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>This chain's genesis with block 0 as stored (to hand to a new replica as its genesis file).</summary>
    public SignedGenesis GenesisFile()
    {
        var block0 = Store.ReadBlock(0)!;
        return new Blocks.SignedGenesis(Genesis, block0.HeaderBytes, block0.Signature);
    }

    /// <summary>The stateless checks alone (structure, clock, proof of work, signatures), without submitting.</summary>
    public Result<ParsedTransaction> Check(Transaction transaction) => _validator.Validate(transaction);

    /// <summary>
    /// Checks and submits a transaction. Completes after the block holding it has committed, with a receipt, or with
    /// the refusal's code (bad input, a broken rule, a duplicate, <see cref="LedgerError.Busy"/> when the mempool is full).
    /// </summary>
    public async ValueTask<SubmitResult> SubmitAsync(Transaction transaction, CancellationToken cancellationToken = default)
    {
        var result = await SubmitCheckedAsync(transaction, cancellationToken).ConfigureAwait(false);
        if (!result.IsCommitted) SubmissionRefused?.Invoke(result.Error);
        return result;
    }

    /// <summary>Raised with the code of every refused submission (monitoring counts them by code); handlers must be quick and not throw.</summary>
    public event Action<LedgerError>? SubmissionRefused;

    private async ValueTask<SubmitResult> SubmitCheckedAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        if (TamperAlarm is { } alarm)
            return SubmitResult.Refused(LedgerError.LedgerHalted, $"this node halted: block {alarm.Height} failed verification ({alarm.Code}); it serves reads only");
        var checkedTx = _validator.Validate(transaction);
        if (!checkedTx.IsSuccess) return SubmitResult.Refused(checkedTx.Error, checkedTx.Message!);
        if (Store.ContainsTransaction(transaction.Id))
            return SubmitResult.Refused(LedgerError.DuplicateTransaction, $"transaction {transaction.IdText} is already on the ledger");
        return await _ordering.SubmitAsync(checkedTx.Value!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses the wire form and submits it; malformed input is refused with a code.</summary>
    public ValueTask<SubmitResult> SubmitAsync(ReadOnlySpan<byte> wireJson, CancellationToken cancellationToken = default)
    {
        var parsed = TransactionCodec.Parse(wireJson);
        return parsed.IsSuccess
            ? SubmitAsync(parsed.Value!, cancellationToken)
            : ValueTask.FromResult(SubmitResult.Refused(parsed.Error, parsed.Message!));
    }

    /// <summary>Builds the receipt of a committed transaction from the store, or null if the id is unknown.</summary>
    public Receipt? GetReceipt(ReadOnlySpan<byte> transactionId) => Reader.Receipt(transactionId);

    public Receipt? GetReceipt(string transactionId) => Reader.Receipt(transactionId);

    /// <summary>
    /// Proves that the chain's history at <paramref name="newHeight"/> extends the one at <paramref name="oldHeight"/>:
    /// an RFC 6962 consistency proof between the <c>history</c> roots the two headers carry (each covers the header
    /// hashes of all blocks before it). Check it with <see cref="MerkleVerifier.VerifyConsistency"/> using
    /// sizes <paramref name="oldHeight"/> and <paramref name="newHeight"/>. Precondition: 1 ≤ old ≤ new ≤ head height.
    /// </summary>
    public IReadOnlyList<byte[]> HistoryConsistencyProof(long oldHeight, long newHeight) => Reader.HistoryConsistencyProof(oldHeight, newHeight);

    /// <summary>Full verification of this node's store (replays the whole chain; reads only).</summary>
    public VerificationReport Verify(IProgress<VerificationProgress>? progress = null, CancellationToken cancellationToken = default)
        => ChainVerifier.VerifyFull(Options.DatabasePath, progress, cancellationToken);

    private int _disposed;

    /// <summary>Stops ordering (queued transactions are refused, sealed blocks committed) and closes the store; idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _ordering.DisposeAsync().ConfigureAwait(false);
        Store.Dispose();
    }
}
