namespace HealthPortal.Ledger;

/// <summary>The store failed (disk full, I/O error). Not a refusal of the transaction: nothing was written.</summary>
public sealed class LedgerStorageException(string message, Exception inner) : Exception(message, inner);
