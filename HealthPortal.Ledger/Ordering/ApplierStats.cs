namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// Cumulative counters of a node's <see cref="BlockApplier"/> since the engine opened: the blocks it re-verified and
/// wrote, and where that time went (wall time on the applying thread). For benchmarks and monitoring; subtract two
/// snapshots to get an interval.
/// </summary>
/// <param name="Blocks">Blocks applied (re-verified and written, or taken as this node sealed them).</param>
/// <param name="Transactions">Their transactions.</param>
/// <param name="Own">Of <paramref name="Blocks"/>, the blocks this node sealed itself and applied as sealed.</param>
/// <param name="Signatures">Decoding the block and checking every transaction's form and signatures.</param>
/// <param name="Rules">The header, proposer, rules and Merkle checks after the signatures.</param>
/// <param name="Store">Writing the block in one SQLite transaction (commit and fsync included) and advancing the head.</param>
/// <param name="Publish">Telling subscribers (receipts to waiting submitters, pages following blocks).</param>
public readonly record struct ApplierStats(long Blocks, long Transactions, long Own, TimeSpan Signatures, TimeSpan Rules, TimeSpan Store, TimeSpan Publish)
{
    public static ApplierStats operator -(ApplierStats a, ApplierStats b)
        => new(a.Blocks - b.Blocks, a.Transactions - b.Transactions, a.Own - b.Own, a.Signatures - b.Signatures, a.Rules - b.Rules,
            a.Store - b.Store, a.Publish - b.Publish);

    public static ApplierStats operator +(ApplierStats a, ApplierStats b)
        => new(a.Blocks + b.Blocks, a.Transactions + b.Transactions, a.Own + b.Own, a.Signatures + b.Signatures, a.Rules + b.Rules,
            a.Store + b.Store, a.Publish + b.Publish);

    /// <summary>One line for a log: per block and per transaction, in milliseconds and microseconds.</summary>
    public string Describe()
    {
        var b = Math.Max(1, Blocks);
        var t = Math.Max(1, Transactions);
        return $"{Blocks} blocks ({Own} own), {Transactions} tx; per block: signatures {Signatures.TotalMilliseconds / b:N1} ms, rules {Rules.TotalMilliseconds / b:N1} ms, " +
            $"store {Store.TotalMilliseconds / b:N1} ms, publish {Publish.TotalMilliseconds / b:N1} ms; per tx: signatures {Signatures.TotalMicroseconds / t:N0} µs, store {Store.TotalMicroseconds / t:N0} µs";
    }
}
