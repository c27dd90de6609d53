using System.Collections.Concurrent;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Merkle;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Engine;

/// <summary>
/// Many submitters at once: every submission commits exactly once or is refused with a code, blocks stay contiguous
/// and every receipt checks out against the stored chain. Some submissions contend on purpose: the same
/// transaction from every submitter, and one record id anchored by several.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Submitters = 32, PerSubmitter = 24;

    private sealed record Submission(Transaction Tx, string Kind, string Key);

    [Fact]
    public async Task ManySubmittersAtOnce_EachSubmissionCommitsOnceOrIsRefusedWithACode()
    {
        await using var kit = new LedgerKit(sequencer: new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(5), MaxBlockTransactions = 64 });
        var facilities = new[] { await kit.Facility(NodeStatus.Approved, "laboratory"), await kit.Facility(NodeStatus.Approved) };
        var patients = new List<(string Mpi, LedgerKeyPair Key)>();
        for (var p = 0; p < 8; p++) patients.Add(($"MPI-{p:D4}", await kit.Patient($"MPI-{p:D4}")));
        var setupCount = kit.Engine.TransactionCount;
        var setupHeight = kit.Engine.Height;

        // Every submitter also sends these same transactions: each must commit once and be a duplicate elsewhere.
        var contested = Enumerable.Range(0, 4).Select(c => kit.Anchor(facilities[0], patients[0].Key, patients[0].Mpi, $"contested-{c}")).ToList();

        Submission Plan(int s, int j)
        {
            var facility = facilities[(s + j) % 2];
            var (mpi, key) = patients[(s * 7 + j) % patients.Count];
            return (j % 8) switch
            {
                0 => new Submission(contested[(s + j) % contested.Count], "contested", contested[(s + j) % contested.Count].IdText),
                // The same record id at the same facility from four submitters: one anchor wins.
                3 => new Submission(kit.Anchor(facilities[0], key, mpi, $"shared-{s / 4}-{j}"), "shared", $"shared-{s / 4}-{j}"),
                _ => new Submission(kit.Anchor(facility, key, mpi, $"own-{s}-{j}"), "own", $"own-{s}-{j}"),
            };
        }

        var outcomes = new ConcurrentBag<(Submission Submission, SubmitResult Result)>();
        await Task.WhenAll(Enumerable.Range(0, Submitters).Select(s => Task.Run(async () =>
        {
            for (var j = 0; j < PerSubmitter; j++)
            {
                var submission = Plan(s, j);
                outcomes.Add((submission, await kit.Engine.SubmitAsync(submission.Tx)));
            }
        })));

        // Committed exactly once, or refused with a code.
        Assert.Equal(Submitters * PerSubmitter, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o.Result.IsCommitted != (o.Result.Error != LedgerError.None), o.Result.ToString()));
        var receipts = outcomes.Where(o => o.Result.IsCommitted).Select(o => o.Result.Receipt!).ToList();
        Assert.Equal(receipts.Count, receipts.Select(r => r.TransactionId).Distinct().Count());
        Assert.Equal(receipts.Count, receipts.Select(r => (r.Height, r.Index)).Distinct().Count());

        foreach (var group in outcomes.Where(o => o.Submission.Kind != "own").GroupBy(o => o.Submission.Key))
        {
            Assert.Single(group, o => o.Result.IsCommitted);
            var expected = group.First().Submission.Kind == "contested" ? LedgerError.DuplicateTransaction : LedgerError.DuplicateRecord;
            Assert.All(group.Where(o => !o.Result.IsCommitted), o => Assert.Equal(expected, o.Result.Error));
        }
        Assert.All(outcomes.Where(o => o.Submission.Kind == "own"), o => Assert.True(o.Result.IsCommitted, o.Result.ToString()));

        // The chain: contiguous heights, and exactly the receipts' transactions after the setup.
        var store = kit.Engine.Store;
        var heights = store.ReadRawBlocks().Select(b => b.Height).ToList();
        Assert.Equal(Enumerable.Range(0, heights.Count).Select(h => (long)h), heights);
        Assert.Equal(kit.Engine.Height, heights[^1]);
        Assert.Equal(setupCount + receipts.Count, kit.Engine.TransactionCount);
        Assert.Equal(kit.Engine.TransactionCount, store.TransactionCount);
        output.WriteLine($"{outcomes.Count} submissions, {receipts.Count} committed in {kit.Engine.Height - setupHeight} blocks");

        // Every receipt verifies offline and names what the store holds at its place.
        foreach (var receipt in receipts)
        {
            var check = ReceiptVerifier.Verify(receipt.ToJsonString());
            Assert.True(check.IsValid, check.ToString());
            var block = store.ReadBlock(receipt.Height)!;
            Assert.Equal(block.HeaderBytes, receipt.Header.CanonicalBytes());
            Assert.Equal(block.Signature, receipt.HeaderSignature);
            var row = store.ReadTransactions(block.TxFirst + receipt.Index, 1).Single();
            Assert.Equal((receipt.Height, receipt.Index), (row.Height, row.Index));
            Assert.Equal(receipt.Transaction.Id, row.Id);
            var inclusion = MerkleVerifier.VerifyInclusion(receipt.Index, block.TxCount, MerkleHash.Leaf(row.Id), receipt.InclusionProof, block.Header.TxRoot);
            Assert.True(inclusion.IsValid, inclusion.Message);
        }

        var report = kit.Engine.Verify();
        Assert.True(report.IsValid, report.ToLine());
    }
}
