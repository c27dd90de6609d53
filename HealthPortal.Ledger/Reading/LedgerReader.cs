using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Reading;

/// <summary>
/// The ledger as the application reads it: the head, blocks and their transactions (with paging), transactions by
/// id, receipts and history proofs, and the views of patients, facilities and access logs.
/// </summary>
/// <remarks>
/// Reads only committed state: blocks, transactions, records and accesses come from the store's read connections
/// (each sees what had committed when it opened), nodes, patients, keys and grants from the in-memory state the
/// node updates only after a block's SQLite transaction has committed. Nothing here depends on how blocks arrive, so
/// a replica that is still catching up answers the same way, just at a lower height. The store is committed before
/// the state is updated, so a height read from <see cref="Height"/> always has its block in the store.
/// Thread-safe; every call reads afresh (nothing is cached).
/// </remarks>
public sealed class LedgerReader
{
    private readonly SqliteBlockStore _store;
    private readonly LedgerState _state;

    internal LedgerReader(SqliteBlockStore store, LedgerState state)
    {
        _store = store;
        _state = state;
    }

    public Genesis Genesis => _state.Genesis;

    public string ChainId => _state.Genesis.ChainId;

    // ---- head -----------------------------------------------------------------------------------------------------

    /// <summary>The height of the last block whose state this node has applied (0 is genesis).</summary>
    public long Height => _state.Height;

    /// <summary>The committed head block as the store has it (height, hash and transaction total from one row).</summary>
    public HeadInfo Head()
    {
        // A reader connection, never the writer's: the head is read while the sequencer may be appending.
        var head = _store.ReadBlocks(long.MaxValue, 1, descending: true).Single();
        return new HeadInfo(head.Header.Height, head.Hash, head.Header.TxTotal, head.Header.Timestamp);
    }

    // ---- blocks and transactions ----------------------------------------------------------------------------------

    public BlockInfo? Block(long height) => _store.ReadBlock(height) is { } b ? ToInfo(b) : null;

    /// <summary>Up to <paramref name="count"/> blocks from <paramref name="fromHeight"/>, upwards or (descending) downwards.</summary>
    public IReadOnlyList<BlockInfo> Blocks(long fromHeight, int count, bool descending = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count == 0 ? [] : [.. _store.ReadBlocks(fromHeight, count, descending).Select(ToInfo)];
    }

    /// <summary>Blocks newest first: page 0 starts at the head. A page past the genesis block is empty.</summary>
    public Page<BlockInfo> BlockPage(int pageIndex, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pageIndex);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var height = Height;
        var from = height - (long)pageIndex * pageSize;
        var items = from < 0 ? [] : Blocks(from, pageSize, descending: true);
        return new Page<BlockInfo>(items, pageIndex, pageSize, height + 1);
    }

    /// <summary>The transactions of block <paramref name="height"/> in block order; empty for an unknown height.</summary>
    public IReadOnlyList<TransactionInfo> TransactionsOf(long height)
        => _store.ReadBlock(height) is { } block ? [.. _store.ReadTransactions(block.TxFirst, block.TxCount).Select(ToInfo)] : [];

    /// <summary>One page of the transactions of block <paramref name="height"/>; an unknown height gives an empty page with total 0.</summary>
    public Page<TransactionInfo> TransactionPage(long height, int pageIndex, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pageIndex);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        if (_store.ReadBlock(height) is not { } block) return new([], pageIndex, pageSize, 0);
        var skip = (long)pageIndex * pageSize;
        var take = (int)Math.Clamp(block.TxCount - skip, 0, pageSize);
        var rows = take == 0 ? [] : _store.ReadTransactions(block.TxFirst + skip, take);
        return new([.. rows.Select(ToInfo)], pageIndex, pageSize, block.TxCount);
    }

    public bool ContainsTransaction(ReadOnlySpan<byte> id) => _store.ContainsTransaction(id);

    public bool ContainsTransaction(string id) => TryDecodeId(id, out var bytes) && _store.ContainsTransaction(bytes);

    /// <summary>A committed transaction by id, or null when no committed transaction has it.</summary>
    public TransactionInfo? Transaction(ReadOnlySpan<byte> id)
        => _store.FindSeq(id) is { } seq && _store.ReadTransaction(seq) is { } row ? ToInfo(row) : null;

    public TransactionInfo? Transaction(string id) => TryDecodeId(id, out var bytes) ? Transaction(bytes) : null;

    // ---- proofs ---------------------------------------------------------------------------------------------------

    /// <summary>Builds the receipt of a committed transaction from the store, or null if the id is unknown.</summary>
    public Receipt? Receipt(ReadOnlySpan<byte> transactionId)
    {
        if (_store.FindSeq(transactionId) is not { } seq) return null;
        var row = _store.ReadTransaction(seq)!;
        var block = _store.ReadBlock(row.Height)!;
        var rows = _store.ReadTransactions(block.TxFirst, block.TxCount);
        var tree = new BlockMerkleTree(rows.Select(r => r.Id).ToList());
        var tx = row.ToTransaction().ValueOrThrow();
        var keys = new Dictionary<string, Jwk>(StringComparer.Ordinal);
        if (_state.Node(block.Header.Proposer)?.Key is { } proposer) keys[block.Header.Proposer] = proposer;
        var payload = PayloadParser.Parse(tx);
        foreach (var s in tx.Signatures)
        {
            var jwk = (payload.IsSuccess ? StatelessValidator.EmbeddedKey(payload.Value!, s.Kid) : null) ?? _state.ResolveKey(s.Kid);
            if (jwk is not null) keys[s.Kid] = jwk;
        }
        return new Receipt(tx, row.Height, row.Index, tree.InclusionProof(row.Index), block.Header, block.Signature, keys,
            Receipts.Receipt.WalletsOf(tx, payload.IsSuccess ? payload.Value : null, _state));
    }

    public Receipt? Receipt(string transactionId) => TryDecodeId(transactionId, out var id) ? Receipt(id) : null;

    /// <summary>
    /// Proves that the chain's history at <paramref name="newHeight"/> extends the one at <paramref name="oldHeight"/>:
    /// an RFC 6962 consistency proof between the <c>history</c> roots the two headers carry (each covers the header
    /// hashes of all blocks before it). Check it with <see cref="MerkleVerifier.VerifyConsistency"/> using sizes
    /// <paramref name="oldHeight"/> and <paramref name="newHeight"/>. Precondition: 1 ≤ old ≤ new ≤ <see cref="Height"/>.
    /// </summary>
    public IReadOnlyList<byte[]> HistoryConsistencyProof(long oldHeight, long newHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(oldHeight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldHeight, newHeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newHeight, Height);
        var leaves = _store.ReadRawBlocks().Take((int)newHeight).Select(b => MerkleHash.Leaf(b.Hash)).ToList();
        return MerkleTree.ConsistencyProof(leaves, oldHeight);
    }

    // ---- patients -------------------------------------------------------------------------------------------------

    public PatientEntry? Patient(string mpi) => _state.Patient(mpi);

    public bool IsRegistered(string mpi) => _state.Patient(mpi) is not null;

    public int PatientCount => _state.PatientCount;

    /// <summary>A patient's device keys in the order they were added, revoked ones included.</summary>
    public IReadOnlyList<KeyEntry> KeysOf(string mpi) => _state.KeysOf(mpi);

    /// <summary>A patient device key by its thumbprint (kid), or null when it is not a patient's key.</summary>
    public KeyEntry? Key(string kid) => _state.Key(kid);

    /// <summary>Every grant the patient issued, in the order they were issued, revoked and expired ones included.</summary>
    public IReadOnlyList<GrantEntry> GrantsOf(string mpi) => _state.GrantsOf(mpi);

    public GrantEntry? Grant(string id) => _state.Grant(id);

    /// <summary>A patient's anchored records in ledger order (the index of the records, not their content).</summary>
    public IReadOnlyList<RecordEntry> RecordsOf(string mpi) => _store.RecordsOf(mpi);

    /// <summary>A patient's logged accesses in ledger order.</summary>
    public IReadOnlyList<AccessEntry> AccessesOf(string mpi) => _store.AccessesOf(mpi);

    /// <summary>A delegation by its id (the <c>delegation.issue</c> transaction id), revoked and ended ones included.</summary>
    public DelegationEntry? Delegation(string id) => _state.Delegation(id);

    /// <summary>The delegations <paramref name="mpi"/> gave and holds as a delegate, in the order issued (revoked and ended ones included).</summary>
    public IReadOnlyList<DelegationEntry> DelegationsOf(string mpi) => _state.DelegationsOf(mpi);

    /// <summary>What delegates signed for <paramref name="mpi"/> (grants, co-signatures, device keys), in ledger order.</summary>
    public IReadOnlyList<DelegatedActEntry> DelegatedActsOf(string mpi) => _store.DelegatedActsOf(mpi);

    /// <summary>Everything about one patient, or null for an MPI number that is not registered.</summary>
    public PatientLedgerView? PatientView(string mpi)
        => _state.Patient(mpi) is { } p
            ? new PatientLedgerView(p, _state.KeysOf(p.Mpi), _state.GrantsOf(p.Mpi), _store.RecordsOf(p.Mpi), _store.AccessesOf(p.Mpi))
            : null;

    // ---- records and accesses -------------------------------------------------------------------------------------

    /// <summary>The committed anchor of <paramref name="recordId"/> at <paramref name="facility"/>, or null when none is committed.</summary>
    public RecordEntry? Record(string facility, string recordId) => _store.FindRecord(facility, recordId);

    /// <summary>A facility's anchored records, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<RecordEntry> RecordsOfFacility(string facility, int limit = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return _store.RecordsOfFacility(facility, limit);
    }

    /// <summary>The committed record that replaced <paramref name="recordId"/> (its next version), or null while it is current.</summary>
    public string? SupersededBy(string facility, string recordId) => _store.FindSupersession(facility, recordId)?.RecordId;

    /// <summary>
    /// The current version of a record: the end of its chain of corrections (the record itself when never corrected),
    /// or null when <paramref name="recordId"/> is not anchored.
    /// </summary>
    public RecordEntry? CurrentVersion(string facility, string recordId)
    {
        var history = History(facility, recordId);
        return history.Count == 0 ? null : history[^1].Record;
    }

    /// <summary>
    /// Every version of the record <paramref name="recordId"/> belongs to, oldest first: the chain of
    /// <c>record.anchor</c>s linked by <c>supersedes</c>, whichever version is asked about. Empty when it is not anchored.
    /// </summary>
    public IReadOnlyList<RecordVersion> History(string facility, string recordId)
    {
        if (_store.FindRecord(facility, recordId) is null) return [];
        // Walk back to the first version, then forward. The rules keep each step unique (one successor, one
        // predecessor), so the walk ends; the bound guards only against a damaged store.
        var first = recordId;
        for (var guard = 0; guard < 10_000 && _store.SupersessionMaking(facility, first) is { } made; guard++) first = made.Superseded;
        var versions = new List<RecordVersion>();
        string? previous = null;
        for (var id = first; id is not null && versions.Count < 10_000;)
        {
            if (_store.FindRecord(facility, id) is not { } record) break;
            var next = _store.FindSupersession(facility, id)?.RecordId;
            versions.Add(new RecordVersion(record, previous, next));
            previous = id;
            id = next;
        }
        return versions;
    }

    /// <summary>
    /// For a patient's records: which are replaced by a newer version (key: facility and old record id; value: the
    /// record id that replaced it). One query, for a timeline that shows only current versions.
    /// </summary>
    public IReadOnlyDictionary<(string Facility, string RecordId), string> SupersessionsOf(string mpi)
        => _store.SupersessionsOf(mpi).ToDictionary(s => (s.Facility, s.Superseded), s => s.RecordId);

    /// <summary>Whether, when and why a record was retracted by its facility (<c>record.retract</c>), or null while it stands.</summary>
    public RetractionEntry? Retraction(string facility, string recordId) => _store.FindRetraction(facility, recordId);

    /// <summary>
    /// For a patient's records: which were retracted (key: facility and record id). One query, for a timeline that
    /// shows a retraction notice in place of the record and for the sharing paths that must leave it out.
    /// </summary>
    public IReadOnlyDictionary<(string Facility, string RecordId), RetractionEntry> RetractionsOf(string mpi)
        => _store.RetractionsOf(mpi).ToDictionary(r => (r.Facility, r.RecordId));

    /// <summary>The standing merge that retired <paramref name="mpi"/> (<c>patient.merge</c>), or null while the number stands on its own.</summary>
    public MergeEntry? StandingMerge(string mpi) => _state.StandingMerge(mpi);

    /// <summary>The number <paramref name="mpi"/> stands for now: itself, or the surviving number of its standing merge(s).</summary>
    public string Survivor(string mpi) => _state.Survivor(mpi);

    /// <summary>The surviving number of <paramref name="mpi"/> first, then every number merged into it: the numbers of one person's timeline.</summary>
    public IReadOnlyList<string> NumbersOf(string mpi) => _state.NumbersOf(_state.Survivor(mpi));

    /// <summary>Every merge <paramref name="mpi"/> took part in, retired or surviving, standing or split, in ledger order.</summary>
    public IReadOnlyList<MergeEntry> MergesOf(string mpi) => _state.MergesOf(mpi);

    /// <summary>True when the keys (and grants) of <paramref name="from"/> act for <paramref name="to"/>: every standing merge between them carried keys over (the retired number's holder co-signed).</summary>
    public bool KeysCarriedTo(string from, string to)
    {
        for (var hops = 0; hops < 64 && from != to; hops++)
        {
            if (_state.StandingMerge(from) is not { KeysCarried: true } merge) return false;
            from = merge.Surviving;
        }
        return from == to;
    }

    /// <summary>
    /// The numbers whose records the holder of <paramref name="mpi"/> reads. A standing number: itself and every
    /// number merged into it. A retired number whose merge carried its keys (its holder signed): the survivor's whole
    /// set, as the survivor reads it. A retired number whose holder never signed: only its own set as it stood before
    /// the merge (itself and what was merged into it) — a wrong merge, or a second registration made by someone else,
    /// must not open the survivor's records to an account that proved nothing (docs/mpi.md). A split restores each.
    /// </summary>
    public IReadOnlyList<string> NumbersReadBy(string mpi)
    {
        var survivor = _state.Survivor(mpi);
        return survivor == mpi || KeysCarriedTo(mpi, survivor) ? _state.NumbersOf(survivor) : _state.NumbersOf(mpi);
    }

    /// <summary>
    /// The records the holder of <paramref name="mpi"/> reads after merges (<see cref="NumbersReadBy"/>), in ledger
    /// order: for a standing number, those anchored under it and under every number merged into it. Without a merge,
    /// exactly <see cref="RecordsOf"/>.
    /// </summary>
    public IReadOnlyList<RecordEntry> RecordsOfPerson(string mpi)
    {
        var numbers = NumbersReadBy(mpi);
        if (numbers.Count == 1) return _store.RecordsOf(numbers[0]);
        return [.. numbers.SelectMany(_store.RecordsOf).OrderBy(r => r.Height).ThenBy(r => r.Index)];
    }

    /// <summary>As <see cref="RetractionsOf"/> over every number the holder reads (<see cref="NumbersReadBy"/>).</summary>
    public IReadOnlyDictionary<(string Facility, string RecordId), RetractionEntry> RetractionsOfPerson(string mpi)
        => NumbersReadBy(mpi).SelectMany(_store.RetractionsOf).ToDictionary(r => (r.Facility, r.RecordId));

    /// <summary>As <see cref="SupersessionsOf"/> over every number the holder reads (<see cref="NumbersReadBy"/>).</summary>
    public IReadOnlyDictionary<(string Facility, string RecordId), string> SupersessionsOfPerson(string mpi)
        => NumbersReadBy(mpi).SelectMany(_store.SupersessionsOf).ToDictionary(s => (s.Facility, s.Superseded), s => s.RecordId);

    /// <summary>The record a <c>record.anchor</c> transaction anchored, or null when the id names no committed anchor.</summary>
    public RecordEntry? RecordAnchoredBy(ReadOnlySpan<byte> transactionId)
    {
        if (_store.FindSeq(transactionId) is not { } seq || _store.ReadTransaction(seq) is not { } stored || stored.Type != TxType.RecordAnchor) return null;
        var body = System.Text.Json.Nodes.JsonNode.Parse(stored.Body);
        return (string?)body?["facility"] is { } facility && (string?)body["record"] is { } record ? _store.ReadRecord(facility, record) : null;
    }

    /// <summary>
    /// Every break-glass access of every patient, newest first: the consortium's review queue (a scan of the access
    /// log, fine for a queue read by admins because break-glass is rare by design).
    /// </summary>
    public IReadOnlyList<AccessEntry> BreakGlassAccesses() => _store.BreakGlassAccesses();

    // ---- facilities, nodes and keys -------------------------------------------------------------------------------

    public NodeEntry? Node(string id) => _state.Node(id);

    /// <summary>Every node the ledger has seen (pending, approved, rejected, revoked), oldest registration first.</summary>
    public IReadOnlyList<NodeEntry> Nodes()
        => [.. _state.Nodes.OrderBy(n => n.RegisteredHeight).ThenBy(n => n.Name, StringComparer.OrdinalIgnoreCase).ThenBy(n => n.Id, StringComparer.Ordinal)];

    public NodeStatus? NodeStatusOf(string id) => _state.Node(id)?.Status;

    public bool IsApprovedNode(string id) => _state.Node(id)?.Status == NodeStatus.Approved;

    /// <summary>A node with its most recent anchored records (newest first), or null for an unknown node id.</summary>
    public FacilityLedgerView? FacilityView(string nodeId, int recordLimit = 200)
        => _state.Node(nodeId) is { } n ? new FacilityLedgerView(n, RecordsOfFacility(n.Id, recordLimit)) : null;

    /// <summary>The ES256 consortium admin keys of genesis by kid (revoked ones included); wallet admins are in <see cref="AdminList"/>.</summary>
    public IReadOnlyDictionary<string, Jwk> Admins => _state.Admins;

    /// <summary>Every consortium admin the chain has had (ES256 keys and wallets, active and revoked), oldest first.</summary>
    public IReadOnlyList<AdminEntry> AdminList => _state.AdminList;

    /// <summary>A consortium admin by id (key thumbprint or EIP-55 wallet address), active or revoked; null if never one.</summary>
    public AdminEntry? Admin(string id) => _state.Admin(id);

    /// <summary>True when <paramref name="id"/> is an active consortium admin (ES256 key or wallet).</summary>
    public bool IsAdmin(string id) => _state.IsAdmin(id);

    /// <summary>Resolves any key the ledger knows: admins, nodes and patient devices (revoked ones included).</summary>
    public Jwk? ResolveKey(string kid) => _state.ResolveKey(kid);

    /// <summary>The EIP-712 domain wallet signatures on this chain are made in (docs/wallets.md).</summary>
    public Crypto.Wallet.WalletDomain WalletDomain => _state.WalletDomain;

    /// <summary>
    /// The EIP-712 typed data a wallet signs for <paramref name="tx"/> (pass <c>ToJson(WalletDomain)</c> to
    /// <c>eth_signTypedData_v4</c>), or null when a wallet cannot sign that transaction or its facility is unknown.
    /// </summary>
    public Crypto.Wallet.WalletTypedData? WalletTypedData(Transaction tx) => WalletSignatures.TypedDataFor(tx, id => WalletSignatures.Facility(_state.Node(id)));

    /// <summary>Whose key <paramref name="kid"/> is: an admin's, a facility node's, a patient device's, or unknown.</summary>
    public KeyHolder HolderOf(string kid)
        => _state.Admin(kid) is not null ? KeyHolder.Admin
            : _state.Node(kid) is not null ? KeyHolder.Facility
            : _state.Key(kid) is not null ? KeyHolder.Patient
            : KeyHolder.Unknown;

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static bool TryDecodeId(string? text, out byte[] id)
    {
        id = [];
        return text is not null && Base64Url.TryDecode(text, out id) && id.Length == 32;
    }

    private static BlockInfo ToInfo(StoredBlock b) => new(b.Header, b.HeaderBytes, b.Signature, b.Hash);

    private static TransactionInfo ToInfo(StoredTransaction row)
    {
        var parsed = row.ToTransaction();
        return new TransactionInfo(row.Height, row.Index, row.Id, row.Type, row.RecomputeId(),
            parsed.IsSuccess ? parsed.Value : null, parsed.IsSuccess ? null : $"{parsed.Error}: {parsed.Message}");
    }
}
