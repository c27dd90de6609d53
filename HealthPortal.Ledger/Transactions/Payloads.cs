using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.Transactions;

/// <summary>The typed, structurally validated content of a transaction body (one record per type).</summary>
public abstract record TxPayload;

/// <summary>A facility asks to join. <see cref="Kind"/> is hospital, clinic or laboratory.</summary>
public sealed record NodeRegisterPayload(Jwk Key, string Kind, string Name, string Endpoint) : TxPayload;

/// <summary>
/// An admin's decision on a node: approve, or reject/revoke with a <see cref="NodeDecisionReasons"/> code and, when the
/// admin explained it in words, the <see cref="HealthPortal.Ledger.Text.TextCommitment"/> hash of those words (required for "other").
/// </summary>
public sealed record NodeDecisionPayload(string Node, string? Reason, string? ReasonHash = null) : TxPayload;

/// <summary>
/// Binds a patient's first key to an MPI number and a salted hash of demographics (never the demographics): an ES256
/// <see cref="Key"/> (body member <c>key</c>) or an Ethereum <see cref="Wallet"/> (body member <c>wallet</c>, EIP-55).
/// </summary>
public sealed record PatientRegisterPayload(Jwk? Key, string Mpi, string DemographicsHash, string? Wallet = null) : TxPayload
{
    /// <summary>The first key's id on the ledger: the JWK thumbprint, or the wallet address.</summary>
    public string NewKid => Key?.Thumbprint() ?? Wallet!;
}

/// <summary>
/// A new device key for a patient: an ES256 <see cref="Key"/> (body member <c>key</c>, a JWK) or an Ethereum
/// <see cref="Wallet"/> (body member <c>wallet</c>, the EIP-55 address) — exactly one of them.
/// <see cref="Delegation"/> (body member <c>delegation</c>, optional): a delegate with the <c>devices</c> power signs
/// instead of an existing key of the patient. <see cref="Facility"/> (body member <c>facility</c>, optional): the
/// first key of a patient registered without one (a child), attested by that facility instead of an existing key.
/// Absent, the body is byte for byte what it always was.
/// </summary>
public sealed record KeyAddPayload(string Mpi, Jwk? Key, string? Wallet = null, string? Delegation = null, string? Facility = null) : TxPayload
{
    /// <summary>The new key's id on the ledger: the JWK thumbprint, or the wallet address.</summary>
    public string NewKid => Key?.Thumbprint() ?? Wallet!;
}

/// <summary>Revokes a device key; <see cref="Delegation"/> as for <see cref="KeyAddPayload"/> (the <c>devices</c> power).</summary>
public sealed record KeyRevokePayload(string Mpi, string Kid, string? Delegation = null) : TxPayload;

/// <summary>
/// Replaces all of a patient's keys with <see cref="Key"/> (body member <c>key</c>, a JWK) or an Ethereum
/// <see cref="Wallet"/> (body member <c>wallet</c>, EIP-55) — exactly one; signed by <see cref="Facility"/> and an admin.
/// </summary>
public sealed record KeyRecoverPayload(string Mpi, Jwk? Key, string Facility, string? Wallet = null) : TxPayload
{
    /// <summary>The new key's id on the ledger: the JWK thumbprint, or the wallet address.</summary>
    public string NewKid => Key?.Thumbprint() ?? Wallet!;
}

/// <summary>A new consortium admin: the Ethereum account <see cref="Wallet"/> (EIP-55).</summary>
public sealed record AdminAddPayload(string Wallet) : TxPayload;

/// <summary>
/// Facility <see cref="Facility"/> withdraws its anchored record <see cref="Record"/>. <see cref="Reason"/> is a
/// <see cref="RetractReasons"/> code; the staff member's words stay in the facility's store.
/// </summary>
public sealed record RecordRetractPayload(string Facility, string Record, string Reason) : TxPayload;

/// <summary>Removes consortium admin <see cref="Admin"/> (an ES256 key thumbprint or a wallet address).</summary>
public sealed record AdminRevokePayload(string Admin) : TxPayload;

/// <summary>
/// A record exists. <see cref="Link"/> is its FHIR reference at the facility, "{ResourceType}/{Record}".
/// <see cref="Supersedes"/> (body member <c>supersedes</c>, optional) names the earlier version this record corrects,
/// as "facility id/record id" (the form access.log uses); absent, the body is byte for byte what it always was.
/// <see cref="Delegation"/> (body member <c>delegation</c>, optional, same rule): the co-signature is a delegate's
/// with the <c>cosign</c> power, not the patient's own.
/// </summary>
public sealed record RecordAnchorPayload(string Mpi, string Facility, string Record, string Category, string Date, string Hash, string Link, string? Supersedes = null, string? Delegation = null) : TxPayload;

/// <summary>
/// A patient's grant. <see cref="Purpose"/> is a <see cref="Purposes"/> code; for "other", <see cref="PurposeHash"/>
/// commits to the patient's words, which stay in the portal. <see cref="Delegation"/> (body member <c>delegation</c>,
/// optional): signed by a delegate with the <c>share</c> power instead of the patient.
/// </summary>
public sealed record GrantIssuePayload(string Mpi, string Facility, IReadOnlyList<string> Categories, string Purpose, long NotBefore, long ExpiresAt, string? PurposeHash = null, string? Delegation = null) : TxPayload;

/// <summary>Revokes a grant; <see cref="Delegation"/> as for <see cref="GrantIssuePayload"/>.</summary>
public sealed record GrantRevokePayload(string Mpi, string Grant, string? Delegation = null) : TxPayload;

/// <summary>
/// A read of a patient's records by a facility, under a grant or with a break-glass reason (exactly one).
/// <see cref="BreakGlass"/> is a <see cref="BreakGlassReasons"/> code and <see cref="BreakGlassHash"/> commits to the
/// reason the staff member typed, which stays in the reading node's database; <see cref="Purpose"/> is a <see cref="Purposes"/> code.
/// </summary>
public sealed record AccessLogPayload(string Facility, string Staff, string Mpi, IReadOnlyList<string> Records, string? Grant, string? BreakGlass, string Purpose, string? BreakGlassHash = null) : TxPayload;

/// <summary>The break-glass basis of an access.log: a <see cref="BreakGlassReasons"/> code and the <see cref="HealthPortal.Ledger.Text.TextCommitment"/> hash of the reason typed.</summary>
public readonly record struct BreakGlassBasis(string Code, string TextHash);

/// <summary>The kinds of facility node.</summary>
public static class NodeKind
{
    public const string Hospital = "hospital";
    public const string Clinic = "clinic";
    public const string Laboratory = "laboratory";
    public static bool IsValid(string kind) => kind is Hospital or Clinic or Laboratory;
}

/// <summary>The category that a grant uses to cover every kind of record.</summary>
public static class Categories
{
    public const string All = "all";
}
