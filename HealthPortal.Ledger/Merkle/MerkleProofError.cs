namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// Why a Merkle proof was rejected. Every value except <see cref="None"/> is an expected failure of
/// untrusted input (a proof, size or hash received from elsewhere), reported through
/// <see cref="MerkleProofResult"/> rather than thrown.
/// </summary>
public enum MerkleProofError
{
    /// <summary>The proof verified.</summary>
    None = 0,

    /// <summary>The leaf index is negative or not below the tree size.</summary>
    IndexOutOfRange,

    /// <summary>
    /// A tree size is negative, the old size of a consistency proof exceeds the new one, or a
    /// consistency proof starts from the empty tree (which proves nothing).
    /// </summary>
    SizeOutOfRange,

    /// <summary>The proof has a different number of hashes than the sizes and index require.</summary>
    WrongProofSize,

    /// <summary>A leaf hash, root or proof element is not <see cref="MerkleHash.Size"/> bytes long.</summary>
    WrongHashSize,

    /// <summary>The root recomputed from the proof differs from the expected root.</summary>
    RootMismatch,
}
