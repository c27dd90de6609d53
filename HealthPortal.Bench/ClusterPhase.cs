using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Bench;

/// <summary>
/// (f) The same anchoring workload on a three-node Raft consortium on loopback (<see cref="LoopbackConsortium"/>, all
/// three in this process, so they share the machine's cores with each other): closed-loop throughput with the clients
/// spread over the three nodes, submit→commit latency through a follower at half that load, and the catch-up rate of
/// a follower restarted after missing a load. The cluster's chain has the same admin, facilities and patients (their
/// registrations are submitted again, signed by the same keys), so the single node's anchors are valid on it too.
/// </summary>
internal static class ClusterPhase
{
    /// <summary>Lower election timeout of the bench cluster (upper = twice), overridable with HP_BENCH_ELECTION_MS.</summary>
    private static readonly int ElectionMs = int.TryParse(Environment.GetEnvironmentVariable("HP_BENCH_ELECTION_MS"), out var ms) && ms >= 300 ? ms : 1500;

    public sealed record Figures(double TxPerSecond, LatencyResult FollowerLatency, double CatchUpBlocksPerSecond, double CatchUpTxPerSecond, JsonObject Details);

    public static async Task<Figures> RunAsync(BenchPopulation world, int submitters, TimeSpan warmup, TimeSpan window, double expectedRate, TextWriter log)
    {
        var setup = Stopwatch.StartNew();
        await using var cluster = new LoopbackConsortium(3, admin: world.Admin, parameters: world.Genesis.Parameters, blocks: BenchPopulation.DefaultSequencer,
            loggers: i => FileLoggerFactory.FromEnvironment($"node{i}"),
            tune: o => o with
            {
                // Blocks here hold up to 2,000 anchors (~1.3 MB per log entry), each re-verified by every node: the
                // tests' 200 ms request timeout let one slow round trip on a loaded machine look like a dead member
                // and start elections. Longer timeouts, the heartbeat kept at ~50 ms so followers hear commits soon.
                LowerElectionTimeoutMs = ElectionMs, UpperElectionTimeoutMs = 2 * ElectionMs,
                RequestTimeout = TimeSpan.FromMilliseconds(ElectionMs * 0.8), ConnectTimeout = TimeSpan.FromMilliseconds(200),
                HeartbeatThreshold = 50.0 / ElectionMs,
            });
        var leader = await cluster.WaitForLeader();
        var factory = new TransactionFactory();
        var facilities = world.Hospitals.Select(k => (k, NodeKind.Hospital)).Concat(world.Laboratories.Select(k => (k, NodeKind.Laboratory))).ToList();
        var registrations = facilities.Select((f, i) => factory.NodeRegister(f.k.PublicJwk, f.Item2, $"Bench Facility {i + 1}", $"https://facility-{i + 1}.bench.example", BenchPopulation.FacilityPowBits).SignWith(f.k))
            .ToList();
        await MustCommitAll(cluster.Engines[leader]!, registrations.Select(Wire).ToArray(), submitters);
        await MustCommitAll(cluster.Engines[leader]!, facilities.Select(f => Wire(factory.NodeApprove(f.k.Id).SignWith(world.Admin))).ToArray(), submitters);
        var patients = new byte[world.Patients.Count][];
        Parallel.For(0, patients.Length, i =>
        {
            var (mpi, key) = world.Patients[i];
            var demographics = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"cluster-{mpi}")));
            patients[i] = Wire(factory.PatientRegister(key.PublicJwk, mpi, demographics, BenchPopulation.PatientPowBits).SignWith(key));
        });
        await MustCommitAll(cluster.Engines[leader]!, patients, submitters);
        await cluster.WaitConverged(TimeSpan.FromMinutes(2));
        log.WriteLine($"(f) cluster: 3 nodes on loopback, node{leader} leads; {facilities.Count} facilities and {patients.Length:N0} patients registered in {setup.Elapsed.TotalSeconds:N1} s");

        // Throughput: the clients spread over the three nodes (two thirds of them forward to the leader).
        var count = (int)Math.Min(int.MaxValue / 2, 2.0 * Math.Max(expectedRate, 500) * (warmup + window).TotalSeconds + submitters);
        var wire = world.BuildAnchors(world.Hospitals, "encounter", count, 23);
        var engines = cluster.Running.Select(i => cluster.Engines[i]!).ToList();
        var heightBefore = cluster.Engines[leader]!.Height;
        var stagesBefore = Stages(cluster);
        ClusterStages? stagesAtStart = null;
        PoolSampler? pool = null;
        var result = await LoadDriver.RunWindowAsync(engines, wire, submitters, warmup, window, () =>
        {
            // Called at the window's start and end: the stage counters and the thread-pool sampling cover the window.
            if (stagesAtStart is null) { stagesAtStart = Stages(cluster); pool = PoolSampler.Start(); }
            else pool?.Stop();
            return (default, Process.GetCurrentProcess().TotalProcessorTime);
        });
        var stages = Stages(cluster) - (stagesAtStart ?? stagesBefore);
        leader = await cluster.WaitForLeader();
        var blocks = cluster.Engines[leader]!.Height - heightBefore;
        log.WriteLine($"(f) cluster: {result.TxPerSecond:N0} committed tx/s over {result.Window.TotalSeconds:N1} s ({result.CommittedInWindow:N0} receipts{(result.RanOut ? ", RAN OUT of pre-built transactions" : "")}); " +
            $"{blocks:N0} blocks ({(double)result.Submitted / Math.Max(1, blocks):N0} tx per block); busy retries {result.BusyRetries:N0}; refused {result.Refusals}; per second [{string.Join(' ', result.PerSecond)}]; " +
            $"process CPU {(result.Cpu.TotalMicroseconds / Math.Max(1, result.CommittedInWindow)):N0} µs per committed tx");
        log.WriteLine($"(f) cluster stages over the window: {stages.Describe()}; thread pool {pool?.Describe()}");
        await cluster.WaitConverged(TimeSpan.FromMinutes(2));

        // Latency through a follower, open loop at half the cluster's rate.
        var follower = cluster.Running.First(i => i != leader);
        var rate = Math.Max(1, result.TxPerSecond * 0.5);
        var paced = world.BuildAnchors(world.Laboratories, "lab", (int)Math.Max(100, rate * (window.TotalSeconds + 1)), 29);
        var pacedBefore = Stages(cluster);
        var pacedPool = PoolSampler.Start();
        var latency = await LoadDriver.RunPacedAsync(cluster.Engines[follower]!, paced, rate, TimeSpan.FromSeconds(1));
        pacedPool.Stop();
        var pacedStages = Stages(cluster) - pacedBefore;
        log.WriteLine($"(f) through follower node{follower} at {rate:N0} tx/s: p50 {latency.P50:N1} ms, p90 {latency.P90:N1} ms, p99 {latency.P99:N1} ms, max {latency.Max:N1} ms ({latency.Samples:N0} samples; refused {latency.Refusals})");
        log.WriteLine($"(f) cluster stages at half load: {pacedStages.Describe()}; thread pool {pacedPool.Describe()}");
        await cluster.WaitConverged(TimeSpan.FromMinutes(2));

        // Catch-up: the other follower is stopped while about ten seconds' worth of anchors commit, then restarted.
        leader = await cluster.WaitForLeader();
        var late = cluster.Running.First(i => i != leader && i != follower);
        await cluster.Stop(late);
        var missed = world.BuildAnchors(world.Hospitals, "encounter", (int)Math.Clamp(result.TxPerSecond * 10, 1000, 50_000), 31);
        await MustCommitAll(cluster.Engines[leader]!, missed, submitters);
        var target = cluster.Engines[leader]!;
        var (fromHeight, fromTx) = ReadAtRest(cluster.DatabasePath(late));
        var caughtUp = Stopwatch.StartNew();
        cluster.Start(late);
        await cluster.WaitConverged(TimeSpan.FromMinutes(5));
        var seconds = caughtUp.Elapsed.TotalSeconds;
        var catchUpBlocks = target.Height - fromHeight;
        var catchUpTx = target.TransactionCount - fromTx;
        log.WriteLine($"(f) restarted node{late} caught up {catchUpBlocks:N0} blocks / {catchUpTx:N0} transactions in {seconds:N2} s (restart included): {catchUpBlocks / seconds:N0} blocks/s, {catchUpTx / seconds:N0} tx/s");
        var verify = cluster.Running.Select(i => cluster.Engines[i]!.Verify()).ToList();
        if (verify.Any(v => !v.IsValid)) throw new InvalidOperationException("a replica does not verify: " + string.Join("; ", verify.Select(v => v.ToLine())));

        var details = new JsonObject
        {
            ["nodes"] = 3, ["tx_per_s"] = Math.Round(result.TxPerSecond), ["receipts_in_window"] = result.CommittedInWindow, ["window_s"] = Math.Round(result.Window.TotalSeconds, 2),
            ["ran_out"] = result.RanOut, ["blocks"] = blocks, ["busy_retries"] = result.BusyRetries, ["refused"] = result.Refusals,
            ["per_second"] = new JsonArray([.. result.PerSecond.Select(p => (JsonNode)p)]),
            ["cpu_us_per_tx"] = Math.Round(result.Cpu.TotalMicroseconds / Math.Max(1, result.CommittedInWindow), 1),
            ["stages"] = stages.ToJson(), ["thread_pool"] = pool?.ToJson(),
            ["stages_at_half_load"] = pacedStages.ToJson(), ["thread_pool_at_half_load"] = pacedPool.ToJson(),
            ["follower_latency"] = new JsonObject
            {
                ["rate_tx_per_s"] = Math.Round(rate), ["samples"] = latency.Samples, ["p50_ms"] = Math.Round(latency.P50, 2), ["p90_ms"] = Math.Round(latency.P90, 2),
                ["p99_ms"] = Math.Round(latency.P99, 2), ["max_ms"] = Math.Round(latency.Max, 2), ["refused"] = latency.Refusals,
            },
            ["catch_up"] = new JsonObject { ["blocks"] = catchUpBlocks, ["transactions"] = catchUpTx, ["seconds"] = Math.Round(seconds, 3) },
            ["replicas_verify"] = verify.Select(v => v.ToLine()).Distinct().Count() == 1 ? verify[0].ToLine() : "differ",
            ["setup_s"] = Math.Round(setup.Elapsed.TotalSeconds, 1),
        };
        return new Figures(result.TxPerSecond, latency, catchUpBlocks / seconds, catchUpTx / seconds, details);
    }

    private static ClusterStages Stages(LoopbackConsortium cluster)
        => new([.. Enumerable.Range(0, cluster.Engines.Length).Select(i => cluster.Engines[i]?.ApplierStats ?? default)],
            [.. Enumerable.Range(0, cluster.Engines.Length).Select(i => cluster.Orderings[i]?.Stats ?? default)]);

    private static byte[] Wire(Transaction tx) => Encoding.UTF8.GetBytes(tx.ToJsonString());

    private static async Task MustCommitAll(LedgerEngine engine, byte[][] wire, int submitters)
    {
        var result = await LoadDriver.SubmitAllAsync(engine, wire, submitters);
        if (result.Committed != wire.Length)
            throw new InvalidOperationException($"cluster setup: {result.Committed} of {wire.Length} committed; refusals: {result.DescribeRefusals()}");
    }

    /// <summary>Height and transaction count of a stopped node's ledger file.</summary>
    private static (long Height, long Transactions) ReadAtRest(string databasePath)
    {
        var report = Ledger.Verification.ChainVerifier.VerifyFull(databasePath);
        return (report.Height, report.Transactions);
    }
}
