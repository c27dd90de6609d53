using System.Text.Json;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using Microsoft.Data.Sqlite;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Explorer;

public sealed record BlockSummary(long Height, DateTimeOffset Time, int TxCount, string Proposer, string ProposerName, string Hash);

public sealed record TxSummary(string Id, string Type, long Height, int Index, IReadOnlyList<string> Signers);

public enum SignerRole { Admin, Facility, Patient, Unknown }

/// <summary>One signature on a transaction, checked now against the signer's key.</summary>
public sealed record SignatureCheck(string Kid, SignerRole Role, string Signer, bool Verified);

/// <summary>Everything the transaction page shows, each claim recomputed rather than read back.</summary>
public sealed record TransactionView(
    string Id, string Type, string BodyJson, BlockSummary Block, int Index, string TxRoot,
    IReadOnlyList<SignatureCheck> Signatures, bool HeaderSignatureVerified,
    IReadOnlyList<string> InclusionProof, bool InclusionVerified, string InclusionMessage, string ReceiptJson);

public sealed record PatientView(
    PatientEntry Patient, IReadOnlyList<KeyEntry> Keys, IReadOnlyList<GrantEntry> Grants,
    IReadOnlyList<RecordEntry> Records, IReadOnlyList<AccessEntry> Accesses);

public sealed record FacilityNodeView(NodeEntry Node, IReadOnlyList<RecordEntry> Records);

/// <summary>What a search found: a transaction id, a patient by MPI number, facilities by name or node id.</summary>
public sealed record LedgerSearchResult(string Query, string? TransactionId, PatientView? Patient, IReadOnlyList<FacilityNodeView> Facilities)
{
    public bool IsEmpty => TransactionId is null && Patient is null && Facilities.Count == 0;
}

public sealed record NetworkSnapshot(long Height, long TransactionCount, int Pending, IReadOnlyList<NodeEntry> Nodes, IReadOnlyList<BlockSummary> RecentBlocks);

/// <summary>
/// Read-only views of this node's ledger for the admin explorer and network panel. The ledger holds no personal
/// data (identifiers, hashes, categories, dates, signatures), and the pages using this are admin-only by their
/// folder's policy. Every "verified" shown is computed here, now, from the stored bytes.
/// </summary>
public sealed class LedgerQueries(LedgerHost ledger)
{
    private readonly PublicKeyCache _keys = new(capacity: 10_000);

    private HealthPortal.Ledger.LedgerEngine Engine => ledger.Engine;

    private LedgerReader Reader => ledger.Reader;

    public long Height => Engine.Height;

    /// <summary>Calls <paramref name="refresh"/> after blocks commit, at most every <paramref name="interval"/>; dispose to stop.</summary>
    public BlockFeed Subscribe(Func<Task> refresh, TimeSpan? interval = null) => new(Engine, refresh, interval ?? TimeSpan.FromMilliseconds(300));

    /// <summary>Blocks newest first: page 0 holds the head.</summary>
    public IReadOnlyList<BlockSummary> Blocks(int page, int pageSize)
    {
        var from = Engine.Height - (long)page * pageSize;
        return from < 0 ? [] : Reader.Blocks(from, pageSize, descending: true).Select(Summarize).ToList();
    }

    public BlockSummary? Block(long height) => Reader.Block(height) is { } b ? Summarize(b) : null;

    public IReadOnlyList<TxSummary> TransactionsOf(long height)
    {
        return Reader.TransactionsOf(height)
            .Select(row => row.Transaction is { } tx
                ? new TxSummary(tx.IdText, row.Type, row.Height, row.Index, tx.Signatures.Select(s => SignerName(s.Kid, tx).Name).ToList())
                : new TxSummary(row.IdText, row.Type, row.Height, row.Index, ["(damaged)"]))
            .ToList();
    }

    /// <summary>
    /// Looks the query up as a transaction id, a patient's MPI number, a facility's node id and facility names
    /// (case-insensitive, part of the name is enough).
    /// </summary>
    public LedgerSearchResult Search(string query)
    {
        var q = (query ?? "").Trim();
        if (q.Length == 0) return new(q, null, null, []);
        string? txId = null;
        if (q.Length == 43 && Base64Url.TryDecode(q, out var id) && id.Length == 32 && Reader.ContainsTransaction(id)) txId = q;

        PatientView? patient = null;
        if (Reader.PatientView(q.ToUpperInvariant()) is { } p)
            patient = new PatientView(p.Patient, p.Keys, p.Grants, p.Records, p.Accesses);

        var facilities = Reader.Nodes()
            .Where(n => n.Id == q || (q.Length >= 2 && n.Name.Contains(q, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase).Take(10)
            .Select(n => new FacilityNodeView(n, Reader.RecordsOfFacility(n.Id, 200)))
            .ToList();
        return new(q, txId, patient, facilities);
    }

    /// <summary>The transaction with its signatures, block header signature and inclusion proof verified now; null if unknown.</summary>
    public TransactionView? Transaction(string id)
    {
        var receipt = Engine.GetReceipt(id);
        if (receipt is null) return null;
        var tx = receipt.Transaction;
        var block = Reader.Block(receipt.Height)!;

        var signatures = tx.Signatures.Select(s =>
        {
            var (role, name) = SignerName(s.Kid, tx);
            var verified = receipt.Keys.TryGetValue(s.Kid, out var jwk) && _keys.Verify(jwk, tx.SigningBytes, s.Signature);
            return new SignatureCheck(s.Kid, role, name, verified);
        }).ToList();

        var headerVerified = receipt.Keys.TryGetValue(block.Header.Proposer, out var proposer)
            && _keys.Verify(proposer, block.HeaderBytes, block.Signature);
        var inclusion = MerkleVerifier.VerifyInclusion(receipt.Index, block.Header.TxCount, MerkleHash.Leaf(tx.Id), receipt.InclusionProof, block.Header.TxRoot);

        return new TransactionView(
            tx.IdText, tx.Type, tx.Body.ToJsonString(Indented), Summarize(block), receipt.Index, Base64Url.Encode(block.Header.TxRoot),
            signatures, headerVerified,
            receipt.InclusionProof.Select(h => Base64Url.Encode(h)).ToList(), inclusion.IsValid,
            // The verifier's own message is technical English: in English it is shown whole, in another language by its code.
            inclusion.IsValid ? ExplorerWords.Format("InclusionOk", block.Header.Height)
                : HealthPortal.Features.Keys.KeyWords.ReaderReadsEnglish ? $"{inclusion.Error}: {inclusion.Message}" : ExplorerWords.Format("InclusionBad", inclusion.Error),
            receipt.ToJsonString());
    }

    /// <summary>The receipt of a committed transaction, for download (<see cref="ReceiptDownload"/>); null if unknown.</summary>
    public HealthPortal.Ledger.Receipts.Receipt? Receipt(string id) => Engine.GetReceipt(id);

    public NetworkSnapshot Network(int recentBlocks = 50)
    {
        var recent = Reader.Blocks(Engine.Height, recentBlocks, descending: true).Select(Summarize).Reverse().ToList();
        var nodes = Reader.Nodes().ToList();
        return new(Engine.Height, Engine.TransactionCount, Engine.Pending, nodes, recent);
    }

    /// <summary>
    /// Verifies the whole chain (every id, signature, Merkle root, link and derived-state row) on a background
    /// thread; the verifier works on a consistent snapshot of the live store.
    /// </summary>
    public Task<VerificationReport> VerifyChainAsync(IProgress<VerificationProgress>? progress = null, CancellationToken cancellationToken = default)
        => Task.Run(() => Engine.Verify(progress, cancellationToken), cancellationToken);

    /// <summary>Names the holder of a key: a consortium admin, a facility node, or a patient's device key.</summary>
    public (SignerRole Role, string Name) SignerName(string kid, Transaction? context = null)
    {
        var state = Reader;
        if (state.Admin(kid) is { } admin)
            return (SignerRole.Admin, admin.IsWallet ? ExplorerWords.Format("AdminWallet", kid) : ExplorerWords.Text("Admin"));
        if (state.Node(kid) is { } node) return (SignerRole.Facility, node.Name);
        if (state.Key(kid) is { } key) return (SignerRole.Patient, ExplorerWords.Format("PatientDeviceKey", key.Mpi));
        // A registration signed by the key it brings, not yet in state (or a damaged store).
        if (context is not null && context.GetString("mpi") is { } mpi) return (SignerRole.Patient, ExplorerWords.Format("PatientNewKey", mpi));
        return (SignerRole.Unknown, ExplorerWords.Text("UnknownKey"));
    }

    public string NodeName(string nodeId) => Reader.Node(nodeId)?.Name ?? nodeId[..Math.Min(8, nodeId.Length)] + "…";

    private BlockSummary Summarize(BlockInfo block)
        => new(block.Header.Height, DateTimeOffset.FromUnixTimeMilliseconds(block.Header.Timestamp), block.Header.TxCount,
            block.Header.Proposer, NodeName(block.Header.Proposer), Base64Url.Encode(block.Hash));

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
