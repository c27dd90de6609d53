namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Makes the ordering service of a ledger node from what the engine hands it. Set <see cref="LedgerOptions.Ordering"/>
/// to replace the embedded <see cref="SoloSequencer"/> (e.g. with Raft ordering among facility nodes).
/// </summary>
public delegate IOrderingService OrderingFactory(OrderingContext context);
