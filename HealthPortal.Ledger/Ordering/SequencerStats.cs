namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Cumulative counters of the sequencer thread since the engine opened: how many blocks and transactions it sealed
/// and where its time went (stopwatch ticks converted to <see cref="TimeSpan"/>). For benchmarks and monitoring;
/// subtract two snapshots to get an interval.
/// </summary>
/// <param name="Rules">Applying the rules (duplicate check, stateful checks, record lookups) to each transaction.</param>
/// <param name="Seal">Merkle tree, header, proposer signature.</param>
/// <param name="Store">Writing the block, its transactions and state in one SQLite transaction, before the commit.</param>
/// <param name="Commit">The SQLite commit: WAL write and fsync.</param>
/// <param name="Receipts">Publishing state and answering each submitter with its receipt.</param>
public readonly record struct SequencerStats(long Blocks, long Transactions, long Refused, TimeSpan Rules, TimeSpan Seal, TimeSpan Store, TimeSpan Commit, TimeSpan Receipts)
{
    public static SequencerStats operator -(SequencerStats a, SequencerStats b)
        => new(a.Blocks - b.Blocks, a.Transactions - b.Transactions, a.Refused - b.Refused, a.Rules - b.Rules, a.Seal - b.Seal,
            a.Store - b.Store, a.Commit - b.Commit, a.Receipts - b.Receipts);
}
