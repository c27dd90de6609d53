using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.State;

public enum NodeStatus { Pending, Approved, Rejected, Revoked }

/// <summary>A node on the ledger: a facility (hospital, clinic, laboratory). Admins are genesis keys, not nodes.</summary>
public sealed record NodeEntry(
    string Id, Jwk Key, string Kind, string Name, string Endpoint, NodeStatus Status,
    long RegisteredHeight, string RegisterTx, int PowBits, long? DecidedHeight, string? DecidedBy, string? Reason, long Height)
{
    /// <summary>A node the genesis document approves from height 0 (its sealer or a founder); the store and the verifier both start from these.</summary>
    public static NodeEntry AtGenesis(Blocks.GenesisNode node)
        => new(node.Key.Thumbprint(), node.Key, node.Kind, node.Name, node.Endpoint, NodeStatus.Approved, 0, "genesis", 0, 0, "genesis", null, 0);
}

/// <summary>A registered patient: MPI number, salted demographics hash, registration height.</summary>
public sealed record PatientEntry(string Mpi, string DemographicsHash, long RegisteredHeight, string RegisterTx, long Height);

/// <summary>
/// A patient device key: an ES256 <see cref="Key"/> whose kid is its RFC 7638 thumbprint, or an Ethereum wallet
/// (<see cref="Key"/> null) whose kid is its EIP-55 address and which signs EIP-712 typed data.
/// </summary>
public sealed record KeyEntry(string Kid, Jwk? Key, string Mpi, long AddedHeight, long? RevokedHeight, long Height)
{
    public bool IsActive => RevokedHeight is null;

    /// <summary>True for an Ethereum wallet key.</summary>
    public bool IsWallet => Key is null;

    /// <summary>How the store keeps the key: the JWK, or <c>{"wallet":"0x…"}</c>.</summary>
    internal string StoredForm() => Key is { } jwk
        ? jwk.ToJson().ToJsonString()
        : new System.Text.Json.Nodes.JsonObject { ["wallet"] = Kid }.ToJsonString();
}

/// <summary>
/// A consortium admin: an ES256 <see cref="Key"/> from genesis (id = its thumbprint), or an Ethereum wallet
/// (<see cref="Key"/> null, id = its EIP-55 address) from genesis or <c>admin.add</c>. <c>admin.revoke</c> sets
/// <see cref="RevokedHeight"/>; an admin is never deleted, so an id is never reused and old signatures stay attributable.
/// </summary>
/// <param name="AddedTx">The <c>admin.add</c> transaction id, or <c>genesis</c>.</param>
/// <param name="AddedBy">The admin who signed the <c>admin.add</c> (the existing one), or <c>genesis</c>.</param>
public sealed record AdminEntry(string Id, Jwk? Key, long AddedHeight, string AddedTx, string AddedBy, long? RevokedHeight, string? RevokedBy, long Height)
{
    public bool IsActive => RevokedHeight is null;

    /// <summary>True for an Ethereum wallet admin.</summary>
    public bool IsWallet => Key is null;

    /// <summary>How the store keeps the admin's key: the JWK, or <c>{"wallet":"0x…"}</c> (as for patient keys).</summary>
    internal string StoredForm() => Key is { } jwk
        ? jwk.ToJson().ToJsonString()
        : new System.Text.Json.Nodes.JsonObject { ["wallet"] = Id }.ToJsonString();

    /// <summary>The admins a genesis document names, active from height 0.</summary>
    public static IEnumerable<AdminEntry> AtGenesis(Blocks.Genesis genesis)
        => [.. genesis.Admins.Select(a => new AdminEntry(a.Thumbprint(), a, 0, "genesis", "genesis", null, null, 0)),
            .. (genesis.AdminWallets ?? []).Select(w => new AdminEntry(w, null, 0, "genesis", "genesis", null, null, 0))];
}

/// <summary>A grant: <see cref="Facility"/> may read <see cref="Categories"/> of <see cref="Mpi"/> for a purpose within a window.</summary>
public sealed record GrantEntry(
    string Id, string Mpi, string Facility, IReadOnlyList<string> Categories, string Purpose,
    long NotBefore, long ExpiresAt, long IssuedHeight, long IssuedAt, long? RevokedHeight, long? RevokedAt, long Height)
{
    /// <summary>Active at <paramref name="atMs"/>: inside [NotBefore, ExpiresAt) and not revoked by then.</summary>
    public bool IsActiveAt(long atMs) => atMs >= NotBefore && atMs < ExpiresAt && (RevokedAt is null || atMs < RevokedAt);

    public bool Covers(string category) => Categories.Contains(Transactions.Categories.All) || Categories.Contains(category);
}

/// <summary>A record anchored on the ledger (metadata only: the content stays in the facility's store).</summary>
public sealed record RecordEntry(
    string Facility, string RecordId, string Mpi, string Category, string Date, string Hash, string Link,
    string TxId, long Height, int Index, long Timestamp);

/// <summary>
/// A record that replaces an earlier one of the same facility and patient (<c>record.anchor</c> with <c>supersedes</c>):
/// <see cref="RecordId"/> is the new version, <see cref="Superseded"/> the one it replaces. A record is superseded at
/// most once, so a record's versions form one chain.
/// </summary>
public sealed record SupersessionEntry(string Facility, string RecordId, string Superseded, string Mpi, string TxId, long Height, int Index);

/// <summary>
/// A record its facility withdrew (<c>record.retract</c>): <see cref="Mpi"/> is the patient it was anchored under (kept
/// so a patient's timeline reads its retractions in one query), <see cref="Reason"/> a
/// <see cref="Transactions.RetractReasons"/> code, <see cref="Timestamp"/> the transaction's time. A record is retracted at most once.
/// </summary>
public sealed record RetractionEntry(string Facility, string RecordId, string Mpi, string Reason, string TxId, long Height, int Index, long Timestamp);

/// <summary>One logged access to a patient's records.</summary>
public sealed record AccessEntry(
    string TxId, string Facility, string Staff, string Mpi, IReadOnlyList<string> Records, string? Grant,
    string? BreakGlass, string Purpose, long Timestamp, long Height, int Index);
