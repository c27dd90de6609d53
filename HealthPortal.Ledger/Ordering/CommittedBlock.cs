using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Ordering;

/// <summary>Raised after a block has committed durably.</summary>
public sealed record CommittedBlock(StoredBlock Block, IReadOnlyList<Transaction> Transactions);
