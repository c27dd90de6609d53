using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Reading;

/// <summary>The committed tip: height, header hash, transactions in all blocks so far, and the head block's time (Unix ms).</summary>
public sealed record HeadInfo(long Height, byte[] Hash, long TxTotal, long Timestamp)
{
    public string HashText => Base64Url.Encode(Hash);
}

/// <summary>
/// A committed block: its parsed header, the exact canonical header bytes the proposer signed, that signature and
/// the header hash, so a reader can check the signature itself.
/// </summary>
public sealed record BlockInfo(BlockHeader Header, byte[] HeaderBytes, byte[] Signature, byte[] Hash)
{
    public long Height => Header.Height;
    public int TxCount => Header.TxCount;
    public long Timestamp => Header.Timestamp;
    public string Proposer => Header.Proposer;
    public string HashText => Base64Url.Encode(Hash);
}

/// <summary>
/// A committed transaction at its place in the chain. <see cref="Transaction"/> is null when the stored bytes no
/// longer parse (a damaged store), and <see cref="Problem"/> then says why; <see cref="RecomputedId"/> is the id
/// recomputed from the stored type and body bytes, which equals <see cref="Id"/> unless the store was altered.
/// </summary>
public sealed record TransactionInfo(long Height, int Index, byte[] Id, string Type, byte[] RecomputedId, Transaction? Transaction, string? Problem)
{
    public string IdText => Base64Url.Encode(Id);
    public bool IsDamaged => Transaction is null;
}

/// <summary>One page of a longer list, with the total it was cut from.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageIndex, int PageSize, long Total)
{
    public bool HasMore => (long)(PageIndex + 1) * PageSize < Total;
}

/// <summary>Everything the ledger holds about one patient: registration, device keys, grants, anchored records, access log.</summary>
public sealed record PatientLedgerView(
    PatientEntry Patient, IReadOnlyList<KeyEntry> Keys, IReadOnlyList<GrantEntry> Grants,
    IReadOnlyList<RecordEntry> Records, IReadOnlyList<AccessEntry> Accesses);

/// <summary>
/// One version of a corrected record: its anchor, the record id it replaced (<see cref="Supersedes"/>, null for the
/// first version) and the one that replaced it (<see cref="SupersededBy"/>, null for the current version).
/// </summary>
public sealed record RecordVersion(RecordEntry Record, string? Supersedes, string? SupersededBy)
{
    public bool IsCurrent => SupersededBy is null;
}

/// <summary>A facility node with its most recently anchored records (newest first).</summary>
public sealed record FacilityLedgerView(NodeEntry Node, IReadOnlyList<RecordEntry> Records);

/// <summary>Who holds a key the ledger knows.</summary>
public enum KeyHolder { Unknown, Admin, Facility, Patient }
