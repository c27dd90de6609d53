namespace HealthPortal.Features.Records;

/// <summary>What a record's current content says about its anchor on the ledger.</summary>
public enum RecordIntegrity
{
    /// <summary>The store's FHIR form hashes to exactly the anchored hash.</summary>
    Verified,
    /// <summary>The store answered, but the content hashes differently (or the record is gone): changed since anchoring.</summary>
    Altered,
    /// <summary>The store could not be reached; nothing can be said about the content.</summary>
    Unavailable,
}
