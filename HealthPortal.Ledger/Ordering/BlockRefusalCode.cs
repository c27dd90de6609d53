namespace HealthPortal.Ledger.Ordering;

/// <summary>Why a block sealed elsewhere was not applied. Codes are stable: add new ones at the end.</summary>
public enum BlockRefusalCode
{
    /// <summary>The bytes are not a well-formed sealed block (layout, header, a transaction's wire form, counts).</summary>
    Malformed = 1,
    WrongChain,
    /// <summary>Not the block after this node's head (a gap).</summary>
    WrongHeight,
    /// <summary>The previous-header hash or the history root does not match this node's chain (or the height is taken by another block).</summary>
    BrokenLink,
    ProposerNotApproved,
    BadProposerSignature,
    DuplicateTransaction,
    /// <summary>A transaction fails the stateless checks (a signature that does not verify, a bad field); see the transaction error.</summary>
    InvalidTransaction,
    /// <summary>A transaction breaks a rule against this node's own state; see the transaction error.</summary>
    RuleViolation,
    MerkleRootMismatch,
    SignatureRootMismatch,
    /// <summary>This node halted on an earlier bad block and applies nothing more.</summary>
    Halted,
    /// <summary>The block verified but this node's store failed to write it (not tampering; nothing was written).</summary>
    StorageFailed,
}
