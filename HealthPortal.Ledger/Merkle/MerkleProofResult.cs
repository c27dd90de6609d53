namespace HealthPortal.Ledger.Merkle;

/// <summary>
/// Outcome of verifying a Merkle proof: <see cref="Ok"/>, or an error code with a message that says
/// what was expected and what was found (like the merkle library's <c>RootMismatchError</c>).
/// </summary>
/// <param name="Error">Why the proof was rejected, or <see cref="MerkleProofError.None"/>.</param>
/// <param name="Message">Human-readable detail of the failure; <see langword="null"/> when valid.</param>
public readonly record struct MerkleProofResult(MerkleProofError Error, string? Message)
{
    /// <summary>The proof verified.</summary>
    public static MerkleProofResult Ok { get; } = new(MerkleProofError.None, null);

    /// <summary><see langword="true"/> when <see cref="Error"/> is <see cref="MerkleProofError.None"/>.</summary>
    public bool IsValid => Error == MerkleProofError.None;

    internal static MerkleProofResult Fail(MerkleProofError error, string message) => new(error, message);
}
