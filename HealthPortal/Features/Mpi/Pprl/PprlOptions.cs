namespace HealthPortal.Features.Mpi.Pprl;

/// <summary>
/// Cross-node candidate search (section <c>Mpi:Pprl</c>). <see cref="Secret"/> is the consortium's linkage secret,
/// the same on every node and given to each by its operator (environment <c>Mpi__Pprl__Secret</c> or a secrets file),
/// never in the repository: whoever holds it can test a filter for guessed demographics. Without it the search is off
/// and says so.
/// </summary>
public sealed class PprlOptions
{
    public const string Section = "Mpi:Pprl";

    /// <summary>Base64 of at least <see cref="ClkEncoder.MinimumSecretBytes"/> random bytes.</summary>
    public string? Secret { get; set; }

    /// <summary>Dice at or above which another node reports a candidate (chosen from the evaluation in docs/mpi.md).</summary>
    public double MinimumDice { get; set; } = DefaultMinimumDice;

    /// <summary>Candidate searches one calling node may make of this node per minute.</summary>
    public int SearchesPerMinute { get; set; } = 30;

    public const double DefaultMinimumDice = 0.8;

    /// <summary>The most candidates a node reports for one search.</summary>
    public const int MaxCandidates = 5;

    /// <summary>The encoder under the configured secret, or null (with why) when there is none or it is unusable.</summary>
    public (ClkEncoder? Encoder, string? Problem) Encoder()
    {
        if (string.IsNullOrWhiteSpace(Secret)) return (null, "no consortium linkage secret is configured (Mpi:Pprl:Secret)");
        byte[] bytes;
        try { bytes = Convert.FromBase64String(Secret.Trim()); }
        catch (FormatException) { return (null, "the consortium linkage secret (Mpi:Pprl:Secret) is not base64"); }
        return bytes.Length < ClkEncoder.MinimumSecretBytes
            ? (null, $"the consortium linkage secret (Mpi:Pprl:Secret) is shorter than {ClkEncoder.MinimumSecretBytes} bytes")
            : (new ClkEncoder(bytes), null);
    }
}
