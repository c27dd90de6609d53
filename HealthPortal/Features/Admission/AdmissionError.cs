namespace HealthPortal.Features.Admission;

/// <summary>Why an application to join, or an admin's decision on one, was refused; nothing was recorded.</summary>
public enum AdmissionError
{
    None,
    /// <summary>The application or the decision's reason is incomplete or malformed; the result's fields name what (for a form).</summary>
    Invalid,
    /// <summary>A facility of that name (ignoring case) has already applied; on the name field.</summary>
    NameTaken,
    /// <summary>The name can be mistaken for an existing facility's (equal TR39 skeletons); on the name field.</summary>
    NameConfusable,
    /// <summary>This draft was submitted already (a second click, a replay).</summary>
    AlreadySubmitted,
    /// <summary>What the browser sent back is not a proof-of-work counter.</summary>
    ProofNotACounter,
    /// <summary>The counter does not give the network's difficulty.</summary>
    ProofTooWeak,
    /// <summary>The application took so long that its timestamp left the ledger's window.</summary>
    Expired,
    /// <summary>The ledger refused the transaction for another reason (the message says which).</summary>
    LedgerRefused,
    /// <summary>Only a consortium admin may decide registrations.</summary>
    NotAdmin,
    /// <summary>No such registration (in the portal or on the ledger).</summary>
    NotFound,
    /// <summary>The step needs an approved facility (provisioning, revoking).</summary>
    NotApproved,
    /// <summary>The registration was decided already.</summary>
    AlreadyDecided,
    /// <summary>Revoking this node would stop the ledger: it seals the blocks.</summary>
    WouldStopLedger,
    /// <summary>The admin chose to sign with their wallet, and it gave no valid signature (rejected, locked, wrong account or chain); nothing was submitted.</summary>
    WalletRefused,
}
