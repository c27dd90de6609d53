namespace HealthPortal.Features.Keys;

/// <summary>
/// What the portal knows about a patient's key beyond the ledger (table <c>DeviceLabel</c>): the name the patient gave
/// the device ("My phone") and when it last signed. Words a person typed stay in the node's database, never on the
/// ledger; when the key was added is the time of the block that added it, read from the ledger.
/// </summary>
public sealed class DeviceLabel
{
    /// <summary>The key's ledger kid (JWK thumbprint, or a wallet's EIP-55 address).</summary>
    public string Kid { get; set; } = "";

    public string? Name { get; set; }

    /// <summary>The time of the last block holding a signature by this key, or of its last key check.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public const int MaxNameLength = 60;
}
