using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Ordering;

/// <summary>
/// What every <see cref="IOrderingService"/> must do behind the engine, whatever the topology: answer each submitter
/// after its block committed with a receipt that verifies offline, apply rules in submission order, refuse repeats
/// and broken rules with their codes, lose nothing under concurrent load. Each ordering runs it by deriving from it.
/// </summary>
public abstract class OrderingConformanceTests
{
    /// <summary>The ordering under test, made from the engine's context (a bounded block interval keeps tests quick).</summary>
    protected abstract OrderingFactory Ordering(SequencerOptions sequencer);

    private LedgerKit NewKit()
    {
        var sequencer = new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(2) };
        return new LedgerKit(sequencer: sequencer, configure: o => o with { Ordering = Ordering(sequencer) });
    }

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Submit_AnswersAfterCommit_WithAReceiptThatVerifiesOffline()
    {
        await using var kit = NewKit();
        var patient = LedgerKeyPair.Create();

        var result = await kit.Submit(kit.Tx.PatientRegister(patient.PublicJwk, "MPI-0001", LedgerKit.Hash("p"), kit.Genesis.Parameters.PatientPowBits).SignWith(patient)).WaitAsync(Bound);

        Assert.True(result.IsCommitted, result.ToString());
        Assert.True(kit.Engine.Height >= result.Receipt!.Height);
        Assert.NotNull(kit.Engine.GetReceipt(result.Receipt.Transaction.Id));
        var check = ReceiptVerifier.Verify(result.Receipt.ToJsonString());
        Assert.True(check.IsValid, check.ToString());
    }

    [Fact]
    public async Task DependentSubmissions_AreAppliedInOrder_AndARepeatIsRefusedDuplicate()
    {
        await using var kit = NewKit();
        var lab = await kit.ApprovedFacility().WaitAsync(Bound);
        var patient = await kit.Patient("MPI-0001").WaitAsync(Bound);
        var anchor = kit.Anchor(lab, patient, "MPI-0001", "r-1");

        var first = await kit.Submit(anchor).WaitAsync(Bound);
        var again = await kit.Submit(anchor).WaitAsync(Bound);

        Assert.True(first.IsCommitted, first.ToString());
        Assert.Equal(LedgerError.DuplicateTransaction, again.Error);
    }

    [Fact]
    public async Task ARuleAgainstState_AKeyTheLedgerDoesNotKnow_IsRefusedUnknownSigner_AndLeavesNoTrace()
    {
        await using var kit = NewKit();
        var lab = await kit.ApprovedFacility().WaitAsync(Bound);
        var stranger = LedgerKeyPair.Create();

        // The stranger's key is on no ledger: only the rules, against the ordering node's state, can say so.
        await kit.MustRefuse(kit.Anchor(lab, stranger, "MPI-0404", "r-1"), LedgerError.UnknownSigner).WaitAsync(Bound);
    }

    [Fact]
    public async Task ConcurrentSubmissions_AllCommit_AndTheChainVerifies()
    {
        const int count = 40;
        await using var kit = NewKit();
        var txs = Enumerable.Range(0, count).Select(i =>
        {
            var key = LedgerKeyPair.Create();
            return kit.Tx.PatientRegister(key.PublicJwk, $"MPI-{i:D4}", LedgerKit.Hash($"p{i}"), kit.Genesis.Parameters.PatientPowBits).SignWith(key);
        }).ToList();

        var results = await Task.WhenAll(txs.Select(tx => Task.Run(() => kit.Submit(tx)))).WaitAsync(Bound);

        Assert.All(results, r => Assert.True(r.IsCommitted, r.ToString()));
        Assert.Equal(count, kit.Engine.TransactionCount);
        var report = kit.Engine.Verify();
        Assert.True(report.IsValid, report.ToLine());
    }
}

/// <summary>The embedded solo sequencer, made through the ordering factory, passes the conformance suite.</summary>
public sealed class SoloSequencerConformanceTests : OrderingConformanceTests
{
    protected override OrderingFactory Ordering(SequencerOptions sequencer) => context => new SoloSequencer(sequencer, context);
}
