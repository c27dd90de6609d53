namespace HealthPortal.Data.KeyRing;

/// <summary>
/// <c>HealthPortal:KeyRing</c>: where the key-encryption key of the Data Protection key ring comes from. Set exactly
/// one, through the environment (<c>HealthPortal__KeyRing__KeyEncryptionKeyFile</c>), never in the data folder nor in
/// appsettings.json next to it. See docs/deploy.md.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "HealthPortal:KeyRing";

    /// <summary>Path of a file (outside the data folder, readable by the node's account only) holding the base64 key.</summary>
    public string? KeyEncryptionKeyFile { get; set; }

    /// <summary>The base64 key itself, for secret stores that inject environment variables.</summary>
    public string? KeyEncryptionKey { get; set; }
}
