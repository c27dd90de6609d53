using System.Text.Json.Nodes;
using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Bench;

/// <summary>Prints the sequencer's own stopwatch counters for an interval (the cheap profile of the single thread).</summary>
internal static class StatsText
{
    public static string Describe(this SequencerStats s)
    {
        var perTx = s.Transactions == 0 ? 0 : 1.0 / s.Transactions;
        string Us(TimeSpan t) => $"{t.TotalMicroseconds * perTx:N1}";
        return $"{s.Blocks:N0} blocks, {s.Transactions:N0} tx ({(s.Blocks == 0 ? 0 : s.Transactions / (double)s.Blocks):N0}/block), refused {s.Refused:N0}; " +
            $"µs per tx: rules {Us(s.Rules)}, seal {Us(s.Seal)}, store {Us(s.Store)}, commit {Us(s.Commit)}, receipts {Us(s.Receipts)}; " +
            $"busy {(s.Rules + s.Seal + s.Store + s.Commit + s.Receipts).TotalSeconds:N1} s (commit {s.Commit.TotalMilliseconds / Math.Max(1, s.Blocks):N1} ms/block)";
    }

    public static JsonObject ToJson(this SequencerStats s) => new()
    {
        ["blocks"] = s.Blocks,
        ["transactions"] = s.Transactions,
        ["refused"] = s.Refused,
        ["rules_s"] = Math.Round(s.Rules.TotalSeconds, 3),
        ["seal_s"] = Math.Round(s.Seal.TotalSeconds, 3),
        ["store_s"] = Math.Round(s.Store.TotalSeconds, 3),
        ["commit_s"] = Math.Round(s.Commit.TotalSeconds, 3),
        ["receipts_s"] = Math.Round(s.Receipts.TotalSeconds, 3),
    };
}
