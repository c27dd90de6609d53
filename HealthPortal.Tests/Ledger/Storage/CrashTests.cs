using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Storage;

/// <summary>
/// Kill -9 at random points while blocks are being committed: on reopen every acknowledged block is there, the
/// start-up head check passes, and no block is partly stored. The child is HealthPortal.Bench's <c>crash-child</c>,
/// which commits continuously into one data folder that every iteration reuses, so the chain grows as it would.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int DefaultIterations = 200;
    private const int FullVerifyEvery = 25;

    // The child commits a block every few milliseconds, so the kill lands at an arbitrary point of signing, writing
    // or fsyncing; a short window keeps each iteration's growth (and the periodic full verification) small.
    private const int MinKillDelayMs = 10, MaxKillDelayMs = 150;

    private static readonly TimeSpan FirstAckTimeout = TimeSpan.FromMinutes(2);

    private sealed record Ack(long Height, long TxTotal);

    private static int Iterations()
        => int.TryParse(Environment.GetEnvironmentVariable("HEALTHPORTAL_CRASH_ITERATIONS"), out var n) && n > 0 ? n : DefaultIterations;

    /// <summary>The seed of the kill schedule: HEALTHPORTAL_CRASH_SEED when set (to replay a failure), else a fresh one.</summary>
    internal static int ScheduleSeed(string? configured) => int.TryParse(configured, out var s) ? s : Random.Shared.Next();

    /// <summary>The kill delays of every iteration, fixed by the seed so a printed seed replays the same schedule.</summary>
    internal static int[] KillDelaysMs(int seed, int iterations)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, iterations).Select(_ => random.Next(MinKillDelayMs, MaxKillDelayMs + 1)).ToArray();
    }

    [Fact]
    public void KillSchedule_IsReplayedFromItsSeed()
    {
        Assert.Equal(1234, ScheduleSeed("1234"));
        Assert.Equal(KillDelaysMs(1234, 50), KillDelaysMs(1234, 50));
        Assert.NotEqual(KillDelaysMs(1234, 50), KillDelaysMs(1235, 50));
        Assert.All(KillDelaysMs(7, 50), d => Assert.InRange(d, MinKillDelayMs, MaxKillDelayMs));
    }

    [Fact]
    public async Task KilledWhileCommitting_ReopensWithEveryAcknowledgedBlockAndNoPartialBlock()
    {
        var iterations = Iterations();
        var folder = Directory.CreateTempSubdirectory("hp-crash-").FullName;
        var options = new LedgerOptions { DatabasePath = Path.Combine(folder, "ledger.db") };
        var seed = ScheduleSeed(Environment.GetEnvironmentVariable("HEALTHPORTAL_CRASH_SEED"));
        output.WriteLine($"seed {seed} (set HEALTHPORTAL_CRASH_SEED to replay)");
        var delays = KillDelaysMs(seed, iterations);
        var clock = Stopwatch.StartNew();
        var verifyTime = TimeSpan.Zero;
        try
        {
            Ack lastAck = new(-1, -1);
            for (var i = 1; i <= iterations; i++)
            {
                // As in a real restart, no connection of this process may stay open across the child's life: SQLite
                // rebuilds its WAL index (and so sees a block whose commit record reached the WAL just before the kill)
                // only when the first connection opens the file. A pooled connection kept from the last reopen or
                // verification would let this process read the stale index and see a head one block lower than the
                // next child, which opens after it and recovers.
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                var acks = await RunChildAndKill(folder, TimeSpan.FromMilliseconds(delays[i - 1]));
                for (var a = 1; a < acks.Count; a++)
                    Assert.True(acks[a].Height == acks[a - 1].Height + 1 && acks[a].TxTotal > acks[a - 1].TxTotal, $"seed {seed}, iteration {i}: ACKs out of order: {acks[a - 1]} then {acks[a]}");
                // The child continues exactly from the head the last reopen found (block 0, genesis, is never ACKed).
                Assert.True(acks[0].Height == Math.Max(lastAck.Height, 0) + 1, $"iteration {i}: the first ACK {acks[0]} does not extend the head {lastAck}");
                lastAck = acks[^1];

                // Reopening runs the start-up head check (LedgerCorruptException if it fails).
                using (var sealer = LedgerKeyPair.FromPkcs8(File.ReadAllBytes(Path.Combine(folder, "sealer.p8"))))
                await using (var engine = LedgerEngine.Open(options, genesis: null, sealer))
                {
                    Assert.True(engine.Height >= lastAck.Height, $"iteration {i}: head {engine.Height} is below the acknowledged height {lastAck.Height}");
                    Assert.True(engine.TransactionCount >= lastAck.TxTotal, $"iteration {i}: {engine.TransactionCount} transactions, {lastAck.TxTotal} acknowledged");
                    // No partial block: exactly the head's blocks and transactions are stored.
                    Assert.Equal(engine.Height + 1, StoreFile.Long(options.DatabasePath, "SELECT COUNT(*) FROM blocks"));
                    Assert.Equal(engine.TransactionCount, StoreFile.Long(options.DatabasePath, "SELECT COUNT(*) FROM txs"));
                    lastAck = new Ack(engine.Height, engine.TransactionCount);
                }

                if (i % FullVerifyEvery == 0 || i == iterations)
                {
                    var started = clock.Elapsed;
                    var report = ChainVerifier.VerifyFull(options.DatabasePath);
                    verifyTime += clock.Elapsed - started;
                    Assert.True(report.IsValid, $"iteration {i}: {report.ToLine()}");
                    output.WriteLine($"iteration {i}: {report.ToLine()} after {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
            output.WriteLine($"{iterations} kills in {clock.Elapsed.TotalSeconds:F1} s ({verifyTime.TotalSeconds:F1} s of it full verification); " +
                $"chain at height {lastAck.Height} with {lastAck.TxTotal} transactions");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Starts crash-child on <paramref name="folder"/>, SIGKILLs it <paramref name="delay"/> after its first ACK, returns every ACK it printed.</summary>
    private static async Task<List<Ack>> RunChildAndKill(string folder, TimeSpan delay)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The child lives a fraction of a second: workstation GC starts faster than the Bench project's server GC.
            Environment = { ["DOTNET_gcServer"] = "0" },
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "HealthPortal.Bench.dll"), "crash-child", "--data", folder })
            start.ArgumentList.Add(arg);

        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            firstAck.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(firstAck.Task, exited, Task.Delay(FirstAckTimeout));
        if (first == firstAck.Task)
        {
            await Task.WhenAny(exited, Task.Delay(delay));
        }
        var diedOnItsOwn = process.HasExited;
        if (!diedOnItsOwn) process.Kill(); // SIGKILL on Linux: no finally blocks, no flush, no SQLite close
        await exited;
        process.WaitForExit(); // and every line already in the pipe has been read

        Assert.False(diedOnItsOwn, $"crash-child exited by itself (code {process.ExitCode}): {string.Join(Environment.NewLine, errors)}");
        Assert.True(first == firstAck.Task, $"crash-child printed no ACK within {FirstAckTimeout}: {string.Join(Environment.NewLine, errors)}");
        return lines.Select(Parse).ToList();
    }

    private static Ack Parse(string line)
    {
        var parts = line.Split(' ');
        Assert.True(parts is ["ACK", _, _], $"unexpected output from crash-child: '{line}'");
        return new Ack(long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
