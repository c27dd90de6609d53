namespace HealthPortal.Features.Keys;

/// <summary>Why a key operation (link, revoke, key check, registration, recovery) did not happen.</summary>
public enum KeyError
{
    None,
    /// <summary>The caller is not a patient, or not one registered on the network yet.</summary>
    NotRegistered,
    /// <summary>What was signed is not for this patient, or names a key that is not theirs.</summary>
    NotYours,
    /// <summary>The browser sent something unreadable: no body, a bad signature encoding, an unusable key.</summary>
    Unreadable,
    /// <summary>The signed message or the request is too old (or the ledger's clock window passed).</summary>
    Expired,
    /// <summary>The signing key is revoked or not an active key of this patient.</summary>
    KeyNotActive,
    /// <summary>The signature does not verify.</summary>
    BadSignature,
    /// <summary>Revoking would leave the patient without an active key.</summary>
    LastKey,
    /// <summary>The key is already on the ledger.</summary>
    KeyAlreadyRegistered,
    /// <summary>No demo enrolment device for this account.</summary>
    NoDemoDevice,
    /// <summary>No draft is waiting, or the request is in a state that does not allow this step.</summary>
    NotPending,
    /// <summary>The caller may not do this (another facility's request, a role without the right).</summary>
    Forbidden,
    /// <summary>A required answer is missing or too long (identity document, in-person check, reason).</summary>
    Invalid,
    /// <summary>A recovery code that does not match (<see cref="CodeAttemptsUsedUp"/> once the request closed).</summary>
    WrongCode,
    CodeAttemptsUsedUp,
    /// <summary>The facility that must sign is not an approved node.</summary>
    FacilityNotApproved,
    /// <summary>The proof of work was not finished.</summary>
    InsufficientProofOfWork,
    /// <summary>The ledger's queue is full.</summary>
    Busy,
    /// <summary>The ledger refused the transaction for another reason (its message says which).</summary>
    LedgerRefused,
}
