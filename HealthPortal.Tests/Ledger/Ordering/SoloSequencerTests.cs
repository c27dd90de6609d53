using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Ordering;

/// <summary>The solo sequencer seals only as an approved facility and answers Busy, never drops, when its mempool is full.</summary>
public sealed class SoloSequencerTests
{
    [Fact]
    public async Task Seal_ByNodeWhoseKeyIsStillPending_RefusesSubmissionsNodeNotApproved()
    {
        await using var kit = new LedgerKit();
        var pending = await kit.Facility(NodeStatus.Pending, "hospital");
        var height = kit.Engine.Height;
        await kit.Restart(sealer: pending);

        var key = LedgerKeyPair.Create();
        await kit.MustRefuse(kit.Tx.PatientRegister(key.PublicJwk, "MPI-0001", LedgerKit.Hash("x"), kit.Genesis.Parameters.PatientPowBits).SignWith(key),
            LedgerError.NodeNotApproved);
        Assert.Equal(height, kit.Engine.Height);
    }

    [Fact]
    public async Task Submit_BeyondMempoolCapacity_AnswersBusyAndCommitsEveryOtherSubmission()
    {
        const int capacity = 4, submissions = 32;
        // A block is cut only after a second, so the first submissions fill the mempool and stay there.
        await using var kit = new LedgerKit(sequencer: new SequencerOptions { MempoolCapacity = capacity, BlockInterval = TimeSpan.FromSeconds(1) });
        var bits = kit.Genesis.Parameters.PatientPowBits;
        var txs = Enumerable.Range(0, submissions).Select(i =>
        {
            var key = LedgerKeyPair.Create();
            return kit.Tx.PatientRegister(key.PublicJwk, $"MPI-{i:D4}", LedgerKit.Hash($"p{i}"), bits).SignWith(key);
        }).ToList();

        var results = await Task.WhenAll(txs.Select(tx => Task.Run(async () => await kit.Engine.SubmitAsync(tx))));

        Assert.Contains(results, r => r.Error == LedgerError.Busy);
        for (var i = 0; i < submissions; i++)
        {
            if (results[i].Error == LedgerError.Busy)
                Assert.Null(kit.Engine.GetReceipt(txs[i].Id));
            else
                Assert.True(results[i].IsCommitted, $"submission {i}: {results[i]}");
        }
        Assert.Equal(results.Count(r => r.IsCommitted), kit.Engine.TransactionCount);
    }
}
