namespace HealthPortal.Ledger.Storage;

/// <summary>
/// The ledger store at <see cref="Path"/> was written with a schema version this build does not read. Nothing was
/// changed in it: the store is refused before any pragma or table statement runs.
/// </summary>
public sealed class LedgerSchemaException(string path, int? storeVersion, int supportedVersion)
    : Exception(storeVersion is { } v
        ? $"the ledger store {path} has schema version {v}; this build reads schema version {supportedVersion} only. Open it with a build of schema version {v}, or migrate it."
        : $"the ledger store {path} holds a chain but names no readable schema version; this build reads schema version {supportedVersion} only.")
{
    public string Path { get; } = path;

    /// <summary>The version the store names; null when it names none or the value is not 4 bytes.</summary>
    public int? StoreVersion { get; } = storeVersion;

    public int SupportedVersion { get; } = supportedVersion;
}
