using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace HealthPortal.Tests.Ledger.Ordering;

/// <summary>
/// The solo sequencer measures its block interval on the engine's clock: with a fake clock a block is cut exactly
/// when the test moves time past the interval, or at once when a block's worth waits. Block timestamps come from the
/// same clock, so the assertions are on them, not on wall time.
/// </summary>
public sealed class SoloSequencerClockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static Transaction NewPatient(LedgerKit kit, int i)
    {
        var key = LedgerKeyPair.Create();
        return kit.Tx.PatientRegister(key.PublicJwk, $"MPI-{i:D4}", LedgerKit.Hash($"p{i}"), kit.Genesis.Parameters.PatientPowBits).SignWith(key);
    }

    [Fact]
    public async Task ALoneTransaction_IsSealedOnlyAfterTheBlockIntervalHasPassedOnTheClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var kit = new LedgerKit(clock: clock, sequencer: new SequencerOptions { BlockInterval = TimeSpan.FromSeconds(10), MaxBlockTransactions = 100 });
        var submittedAt = kit.Now;
        var submission = kit.Submit(NewPatient(kit, 1));

        // Time moves a second at a time; the block can only be cut once ten have passed since its transaction arrived.
        for (var step = 0; step < 60 && !submission.IsCompleted; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(submission, Task.Delay(50));
        }
        var result = await submission.WaitAsync(Bound);

        Assert.True(result.IsCommitted, result.ToString());
        Assert.True(result.Receipt!.Header.Timestamp - submittedAt >= 10_000,
            $"sealed {result.Receipt.Header.Timestamp - submittedAt} ms after submission on the clock");
    }

    [Fact]
    public async Task ABlocksWorthOfTransactions_IsSealedAtOnceWithoutTheClockMoving()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var kit = new LedgerKit(clock: clock, sequencer: new SequencerOptions { BlockInterval = TimeSpan.FromHours(1), MaxBlockTransactions = 3 });
        var start = kit.Now;

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => kit.Submit(NewPatient(kit, i)))).WaitAsync(Bound);

        Assert.All(results, r => Assert.True(r.IsCommitted, r.ToString()));
        Assert.All(results, r => Assert.Equal(start, r.Receipt!.Header.Timestamp));
        Assert.Single(results.Select(r => r.Receipt!.Height).Distinct());
    }

    [Fact]
    public async Task ABlockHandlerThatThrows_IsReportedAsAFault_AndTheNextBlockStillCommits()
    {
        var faults = new List<OrderingFault>();
        await using var kit = new LedgerKit(configure: o => o with { OnFault = f => { lock (faults) faults.Add(f); } });
        kit.Engine.BlockCommitted += _ => throw new InvalidOperationException("handler bug");

        var first = await kit.MustCommit(NewPatient(kit, 1));
        var second = await kit.MustCommit(NewPatient(kit, 2));

        Assert.True(second.Receipt!.Height > first.Receipt!.Height);
        lock (faults)
        {
            Assert.Equal(2, faults.Count);
            Assert.All(faults, f => Assert.Equal("publish", f.Stage));
            Assert.Equal([first.Receipt.Height, second.Receipt.Height], faults.Select(f => f.Height));
            Assert.All(faults, f => Assert.IsType<InvalidOperationException>(f.Error));
        }
    }

    [Fact]
    public async Task TheOrderingFactory_ReplacesTheEmbeddedSequencer()
    {
        CountingOrdering? made = null;
        await using var kit = new LedgerKit(configure: o => o with
        {
            Ordering = context => made = new CountingOrdering(new SoloSequencer(o.Sequencer, context)),
        });

        await kit.MustCommit(NewPatient(kit, 1));

        Assert.NotNull(made);
        Assert.Equal(1, made.Submissions);
    }

    private sealed class CountingOrdering(IOrderingService inner) : IOrderingService
    {
        public int Submissions;
        public int Pending => inner.Pending;

        public ValueTask<SubmitResult> SubmitAsync(HealthPortal.Ledger.Rules.ParsedTransaction transaction, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Submissions);
            return inner.SubmitAsync(transaction, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
