using HealthPortal.Features.Ehr;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>The store write queue: one writer per store file at a time, other stores side by side, waits counted.</summary>
public sealed class EhrWriteGateTests
{
    [Fact]
    public async Task SameStore_SecondWriterWaitsUntilTheFirstCommits_AndTheWaitIsCounted()
    {
        var gate = new EhrWriteGate();
        var first = await gate.EnterAsync("demo-riverside");
        var second = gate.EnterAsync("demo-riverside").AsTask();

        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();

        var counts = gate.Counts;
        Assert.Equal(2, counts.Turns);
        Assert.Equal(1, counts.Waited);
        Assert.True(counts.WaitMs >= 40, $"waited {counts.WaitMs} ms");
    }

    [Fact]
    public async Task OtherStore_DoesNotWait()
    {
        var gate = new EhrWriteGate();
        using var hospital = await gate.EnterAsync("demo-riverside");

        var laboratory = gate.EnterAsync("demo-northgate").AsTask();

        Assert.True(laboratory.IsCompleted);
        (await laboratory).Dispose();
        Assert.Equal(0, gate.Counts.Waited);
    }

    [Fact]
    public async Task DisposingATurnTwice_ReleasesItOnce()
    {
        var gate = new EhrWriteGate();
        var first = await gate.EnterAsync("demo-riverside");
        first.Dispose();
        first.Dispose();

        using var second = await gate.EnterAsync("demo-riverside");
        var third = gate.EnterAsync("demo-riverside").AsTask();

        await Task.Delay(50);
        Assert.False(third.IsCompleted);
    }
}
