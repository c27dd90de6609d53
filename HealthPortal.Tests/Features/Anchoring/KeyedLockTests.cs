using HealthPortal.Features.Anchoring;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>The per-confirmation lock: one caller per key at a time, different keys side by side, idle keys dropped.</summary>
public sealed class KeyedLockTests
{
    [Fact]
    public async Task SameKey_SecondCallerWaitsUntilTheFirstReleases()
    {
        var gate = new KeyedLock();
        var first = await gate.AcquireAsync("anc-1");
        var second = gate.AcquireAsync("anc-1").AsTask();

        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, gate.ActiveKeys);
    }

    [Fact]
    public async Task DifferentKeys_DoNotWaitForEachOther()
    {
        var gate = new KeyedLock();
        using var first = await gate.AcquireAsync("anc-1");

        var other = gate.AcquireAsync("anc-2").AsTask();

        Assert.True(other.IsCompleted);
        Assert.Equal(2, gate.ActiveKeys);
        (await other).Dispose();
    }

    [Fact]
    public async Task ManyCallersOfOneKey_NeverOverlap_AndTheTableEmpties()
    {
        var gate = new KeyedLock();
        var inside = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            using var turn = await gate.AcquireAsync(i % 2 == 0 ? "even" : "odd");
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
        })));

        // Two keys: at most one holder of each at any moment.
        Assert.InRange(most, 1, 2);
        Assert.Equal(0, gate.ActiveKeys);
    }

    [Fact]
    public async Task CancelledWaiter_DoesNotKeepTheKeyNorBlockTheNext()
    {
        var gate = new KeyedLock();
        var held = await gate.AcquireAsync("anc-1");
        using var cancel = new CancellationTokenSource();
        var waiting = gate.AcquireAsync("anc-1", cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        held.Dispose();
        Assert.Equal(0, gate.ActiveKeys);
        using var again = await gate.AcquireAsync("anc-1").AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, gate.ActiveKeys);
    }

    [Fact]
    public async Task DisposingTwice_ReleasesOnce()
    {
        var gate = new KeyedLock();
        var turn = await gate.AcquireAsync("anc-1");
        var next = gate.AcquireAsync("anc-1").AsTask();
        turn.Dispose();
        var nextTurn = await next.WaitAsync(TimeSpan.FromSeconds(5));
        turn.Dispose(); // the same turn disposed again must not let a third caller in beside the second

        var third = gate.AcquireAsync("anc-1").AsTask();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        nextTurn.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
