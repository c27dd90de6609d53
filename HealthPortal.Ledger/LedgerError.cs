namespace HealthPortal.Ledger;

/// <summary>
/// Every reason the ledger refuses something. Codes are stable: they travel to API callers and logs,
/// so add new ones at the end and never renumber.
/// </summary>
public enum LedgerError
{
    None = 0,
    MalformedTransaction,
    UnknownType,
    MissingField,
    InvalidField,
    FloatNotAllowed,
    TimestampOutOfRange,
    MissingNonce,
    DuplicateTransaction,
    InsufficientProofOfWork,
    BadSignature,
    UnknownSigner,
    MissingSignature,
    UnexpectedSignature,
    SignerNotAuthorized,
    RevokedKey,
    UnknownNode,
    NodeNotPending,
    NodeNotApproved,
    NodeAlreadyRegistered,
    UnknownPatient,
    PatientAlreadyRegistered,
    KeyAlreadyRegistered,
    LastKey,
    UnknownKey,
    DuplicateRecord,
    UnknownGrant,
    GrantNotActive,
    GrantAlreadyRevoked,
    GrantTooLong,
    GrantDoesNotCover,
    Busy,
    ShuttingDown,
    AccessWithoutBasis,
    /// <summary>A text member holds a control, bidi, invisible, private-use or unassigned character (<c>SafeText</c>).</summary>
    UnsafeText,
    /// <summary>A code member holds something outside its closed set (<c>BreakGlassReasons</c>, <c>NodeDecisionReasons</c>, <c>Purposes</c>): free text does not go on the ledger.</summary>
    UnknownCode,
    /// <summary>This node found a block it could not verify and raised a tamper alarm: it takes no writes, it still serves reads.</summary>
    LedgerHalted,
    /// <summary>
    /// The block holding the transaction could not be written (the data folder is full or read-only, or the disk failed).
    /// Nothing of that block was kept and no later block builds on it; the same transaction may be submitted again.
    /// </summary>
    StorageFailed,
    /// <summary>
    /// A wallet's EIP-712 signature did not verify; the message starts with its <c>WalletSignatureError</c> code
    /// (<c>WrongSigner</c>, <c>HighS</c>, <c>BadRecoveryId</c>…), see docs/wallets.md.
    /// </summary>
    WalletSignatureRefused,
    /// <summary>
    /// An admin transaction (<c>node.approve/reject/revoke</c>, <c>admin.add/revoke</c>, the admin co-signature of
    /// <c>key.recover</c>) is signed by a wallet that is no consortium admin: never added, or a patient's wallet.
    /// </summary>
    UnknownAdmin,
    /// <summary>The admin (ES256 key or wallet) was removed by <c>admin.revoke</c> and signs nothing any more.</summary>
    RevokedAdmin,
    /// <summary><c>admin.revoke</c> would leave the consortium without an active admin.</summary>
    LastAdmin,
    /// <summary><c>admin.add</c> names an admin that exists already (active or revoked: an id is never reused).</summary>
    AdminAlreadyRegistered,
    /// <summary><c>record.anchor</c>'s <c>supersedes</c> names a record the ledger has not anchored.</summary>
    UnknownSupersededRecord,
    /// <summary><c>record.anchor</c>'s <c>supersedes</c> names a record of another patient.</summary>
    SupersedesOtherPatient,
    /// <summary><c>record.anchor</c>'s <c>supersedes</c> names a record of another facility: only its author corrects a record.</summary>
    SupersedesOtherFacility,
    /// <summary><c>record.anchor</c>'s <c>supersedes</c> names a record already replaced by another version (correct the newest one).</summary>
    AlreadySuperseded,
    /// <summary>A <c>delegation</c> member or <c>delegation.revoke</c> names no delegation of this patient.</summary>
    DelegationNotFound,
    /// <summary>The delegation is outside its from–until period at the block's time (not begun yet, or ended).</summary>
    DelegationExpired,
    /// <summary>The delegation was revoked (<c>delegation.revoke</c>) and lets its delegate do nothing more.</summary>
    DelegationRevoked,
    /// <summary>The delegation does not give its delegate the power this transaction needs (e.g. <c>share</c> for a grant).</summary>
    PowerNotDelegated,
    /// <summary><c>record.retract</c> names a record the ledger has not anchored.</summary>
    UnknownRetractedRecord,
    /// <summary><c>record.retract</c> is signed by, or names, a facility other than the one that anchored the record: only its author retracts it.</summary>
    RetractsOtherFacility,
    /// <summary><c>record.retract</c> names a record already retracted, or <c>record.anchor</c> would correct a retracted record.</summary>
    AlreadyRetracted,
    /// <summary>
    /// The MPI number was retired by <c>patient.merge</c>: nothing new is anchored, granted or keyed under it (use the
    /// surviving number), and it is neither merged again nor made a survivor.
    /// </summary>
    MpiRetired,
    /// <summary><c>patient.split</c> names two numbers with no standing merge between them.</summary>
    NotMerged,
}

/// <summary>The outcome of a check: <see cref="LedgerError.None"/> or a code with a human-readable message.</summary>
public readonly record struct Validation(LedgerError Error, string? Message)
{
    public static Validation Ok => default;
    public bool IsValid => Error == LedgerError.None;
    public static Validation Fail(LedgerError error, string message) => new(error, message);
    public override string ToString() => IsValid ? "ok" : $"{Error}: {Message}";
}
