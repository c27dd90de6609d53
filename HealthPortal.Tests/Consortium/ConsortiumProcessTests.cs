using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Operator;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// A real consortium: three OS processes of the built HealthPortal.dll (each its own data folder, node key, Kestrel
/// port and Raft ports on loopback, provisioned as <c>consortium up</c> does), transactions submitted over HTTP
/// through every node (<c>POST /node/transactions</c>), roles read from <c>/node/status</c>. The leader is killed with
/// SIGKILL under load, a follower is killed and restarted, all three are stopped and started again; after each fault
/// every acknowledged transaction is on every replica and <c>ledger verify</c> gives the same line on each. Every
/// wait is bounded; figures are printed, not asserted.
/// </summary>
public sealed class ConsortiumProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan SyncBound = TimeSpan.FromSeconds(30);
    private const int PowBits = 8;
    private readonly string _root = Directory.CreateTempSubdirectory("hp-consortium-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly TransactionFactory _tx = new(TimeProvider.System);

    private static IConfiguration Settings() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Ledger:Genesis:ChainId"] = "consortium-process-test",
        ["Ledger:Genesis:PatientPowDifficultyBits"] = PowBits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ledger:Genesis:FacilityPowDifficultyBits"] = PowBits.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }).Build();

    /// <summary>The built app beside the tests, through the same dotnet host that runs them.</summary>
    private static ChildCommand App => new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [Path.Combine(AppContext.BaseDirectory, "HealthPortal.dll")]);

    private static readonly IReadOnlyDictionary<string, string> NoDemo = new Dictionary<string, string>
    {
        ["HealthPortal__Demo__Seed"] = "false",
        ["HealthPortal__Demo__Password"] = "",
    };

    [Fact]
    public async Task ThreeProcesses_ElectALeader_SurviveKill9OfTheLeader_AFollowerRestart_APartitionedFollower_AndARestartOfAll_WithEveryAcknowledgedTransactionOnEveryReplica()
    {
        var plan = ConsortiumProvisioner.Provision(_root, 3, Settings(), "Development");
        var nodes = new ConsortiumNodeProcess?[3];
        var acknowledged = new ConcurrentDictionary<string, byte>();
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 3; i++) nodes[i] = Start(plan.Nodes[i]);
            var leader = await LeaderAsync(plan, nodes, StartBound);
            output.WriteLine($"three processes: leader {plan.Nodes[leader].NodeId} after {clock.Elapsed.TotalSeconds:F1} s (process start included)");

            // Submissions through each node: every one acknowledged, one head everywhere.
            for (var round = 0; round < 4; round++)
                for (var i = 0; i < 3; i++)
                {
                    acknowledged[await AcknowledgedAsync(plan.Nodes[i])] = 0;
                }
            await InSyncAsync(plan, nodes);

            // kill -9 the leader under load from four submitters spread over all nodes.
            using (var load = new Load(this, plan, nodes, acknowledged))
            {
                await load.UntilAcknowledgedAsync(acknowledged.Count + 20, SyncBound);
                var killedAt = Stopwatch.StartNew();
                var before = acknowledged.Count;
                nodes[leader]!.Kill();
                Assert.True(await nodes[leader]!.WaitForExitAsync(new CancellationTokenSource(SyncBound).Token));
                nodes[leader]!.Dispose();
                nodes[leader] = null;
                var newLeader = await LeaderAsync(plan, nodes, SyncBound);
                var elected = killedAt.Elapsed;
                Assert.NotEqual(leader, newLeader);
                await load.UntilAcknowledgedAsync(before + 20, SyncBound);
                output.WriteLine($"kill -9 of leader {plan.Nodes[leader].NodeId}: {plan.Nodes[newLeader].NodeId} leads after {elected.TotalMilliseconds:F0} ms; " +
                    $"20 more writes acknowledged {killedAt.Elapsed.TotalMilliseconds:F0} ms after the kill; refusals so far {load.Refused}");
                await load.StopAsync();
                output.WriteLine($"load: {acknowledged.Count} acknowledged, {load.Refused} refused or cut (503 network busy, or the killed node)");
                await InSyncAsync(plan, nodes);

                // The killed leader comes back on its folder and catches up.
                clock.Restart();
                nodes[leader] = Start(plan.Nodes[leader]);
                await InSyncAsync(plan, nodes, StartBound);
                output.WriteLine($"the killed leader restarted and caught up in {clock.Elapsed.TotalSeconds:F1} s (process start included)");
                leader = newLeader;
            }

            // Kill and restart a follower: it misses writes, then catches up.
            var follower = Enumerable.Range(0, 3).First(i => i != leader);
            nodes[follower]!.Kill();
            Assert.True(await nodes[follower]!.WaitForExitAsync(new CancellationTokenSource(SyncBound).Token));
            nodes[follower]!.Dispose();
            nodes[follower] = null;
            foreach (var i in Enumerable.Range(0, 3).Where(i => i != follower))
                for (var k = 0; k < 5; k++)
                {
                    acknowledged[await AcknowledgedAsync(plan.Nodes[i])] = 0;
                }
            nodes[follower] = Start(plan.Nodes[follower]);
            await InSyncAsync(plan, nodes, StartBound);

            // Partition a follower: SIGSTOP freezes the process, so it neither sends nor answers anything (its
            // connections stay open, as behind a cut link). The other two keep committing; healed with SIGCONT, the
            // follower (whose election timer fires at once, so it may call an election with a higher term) rejoins and
            // catches up with every write it missed.
            leader = await LeaderAsync(plan, nodes, SyncBound);
            var cut = Enumerable.Range(0, 3).First(i => i != leader);
            Assert.Equal(0, Signal(nodes[cut]!.Id, SigStop));
            try
            {
                foreach (var i in Enumerable.Range(0, 3).Where(i => i != cut))
                    for (var k = 0; k < 5; k++)
                    {
                        acknowledged[await AcknowledgedAsync(plan.Nodes[i])] = 0;
                    }
            }
            finally
            {
                Assert.Equal(0, Signal(nodes[cut]!.Id, SigCont));
            }
            clock.Restart();
            await InSyncAsync(plan, nodes, StartBound);
            output.WriteLine($"partitioned follower {plan.Nodes[cut].NodeId} healed and caught up in {clock.Elapsed.TotalSeconds:F1} s");

            // Restart all three: SIGTERM, then the same folders again; a leader, and writes through each node.
            Assert.True(await ConsortiumUp.StopAll([.. nodes.OfType<ConsortiumNodeProcess>()], new StringWriter()), "a node did not stop within 30 s of SIGTERM");
            clock.Restart();
            for (var i = 0; i < 3; i++) nodes[i] = Start(plan.Nodes[i]);
            await LeaderAsync(plan, nodes, StartBound);
            output.WriteLine($"all three restarted: leader after {clock.Elapsed.TotalSeconds:F1} s");
            for (var i = 0; i < 3; i++)
            {
                acknowledged[await AcknowledgedAsync(plan.Nodes[i])] = 0;
            }
            await InSyncAsync(plan, nodes);
            Assert.True(await ConsortiumUp.StopAll([.. nodes.OfType<ConsortiumNodeProcess>()], new StringWriter()), "a node did not stop within 30 s of SIGTERM");
            Array.Clear(nodes);

            // At rest: `ledger verify` gives one identical line on every replica, and each holds every acknowledged transaction.
            SqliteConnection.ClearAllPools();
            var lines = plan.Nodes.Select(n =>
            {
                var verify = new StringWriter();
                Assert.Equal(0, OperatorCommands.Run(["ledger", "verify", "--data", n.DataFolder], verify));
                return verify.ToString().Trim();
            }).ToList();
            output.WriteLine(string.Join(" | ", lines));
            Assert.Single(lines.Distinct());
            Assert.StartsWith("OK height=", lines[0]);
            foreach (var node in plan.Nodes)
            {
                using var store = SqliteBlockStore.Open(Path.Combine(node.DataFolder, LedgerHost.LedgerFileName), readOnly: true);
                var missing = acknowledged.Keys.Where(id => !store.ContainsTransaction(Base64Url.Decode(id))).ToList();
                Assert.True(missing.Count == 0, $"{node.NodeId} lacks {missing.Count} of {acknowledged.Count} acknowledged transactions");
            }
            SqliteConnection.ClearAllPools();
        }
        finally
        {
            foreach (var node in nodes.OfType<ConsortiumNodeProcess>())
            {
                node.Kill();
                await node.WaitForExitAsync(new CancellationTokenSource(SyncBound).Token);
                node.Dispose();
            }
        }
    }

    private const int SigStop = 19, SigCont = 18; // Linux (x86-64 and arm64)

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    private ConsortiumNodeProcess Start(ConsortiumNode node) => ConsortiumNodeProcess.Start(node, App, NoDemo, "Development");

    /// <summary>A fresh patient registration, signed by its own key.</summary>
    private Transaction NewTransaction(CancellationToken ct = default)
    {
        var key = LedgerKeyPair.Create();
        return _tx.PatientRegister(key.PublicJwk, "MPI-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), LedgerKit.Hash(key.Id), PowBits, ct).SignWith(key);
    }

    /// <summary>
    /// Submits a fresh transaction through <paramref name="node"/> as a client would: "network busy" (503, e.g. an
    /// election on a starved machine) is answered by sending the same transaction again, for at most 30 s; anything
    /// else but 200 fails the test (or a duplicate after such a retry: the first try committed). Returns the transaction's id.
    /// </summary>
    private async Task<string> AcknowledgedAsync(ConsortiumNode node)
    {
        var tx = NewTransaction();
        var waited = Stopwatch.StartNew();
        for (var retried = false; ; retried = true)
        {
            var (code, id, answer) = await SubmitAsync(node, tx);
            if (code == HttpStatusCode.OK) return id;
            // Sent again after a 503 whose transaction was ordered after all: it is on this node's replica.
            if (retried && code == HttpStatusCode.UnprocessableContent && answer.Contains("code=DuplicateTransaction", StringComparison.Ordinal)) return id;
            Assert.True(code == HttpStatusCode.ServiceUnavailable && waited.Elapsed < SyncBound, $"{node.NodeId}: {(int)code} {answer}");
            await Task.Delay(200);
        }
    }

    private Task<(HttpStatusCode Code, string Id, string Answer)> SubmitAsync(ConsortiumNode node, CancellationToken ct = default) => SubmitAsync(node, NewTransaction(ct), ct);

    private async Task<(HttpStatusCode Code, string Id, string Answer)> SubmitAsync(ConsortiumNode node, Transaction tx, CancellationToken ct = default)
    {
        using var content = new StringContent(tx.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(node.PublicUrl, NodeTransactionsEndpoint.Route), content, ct);
        return (response.StatusCode, tx.IdText, await response.Content.ReadAsStringAsync(ct));
    }

    private sealed record Status(string Role, long Height, string Head);

    private async Task<Status?> StatusAsync(ConsortiumNode node)
    {
        try
        {
            var fields = (await _http.GetStringAsync(new Uri(node.PublicUrl, "/node/status"))).Trim().Split(' ')
                .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
            return new Status(fields["role"], long.Parse(fields["height"], System.Globalization.CultureInfo.InvariantCulture), fields["head"]);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until exactly one running node says it leads (and every running node answers); returns its index.</summary>
    private async Task<int> LeaderAsync(ConsortiumPlan plan, ConsortiumNodeProcess?[] nodes, TimeSpan bound)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < bound)
        {
            ThrowIfOneExited(plan, nodes);
            var running = Enumerable.Range(0, nodes.Length).Where(i => nodes[i] is not null).ToList();
            var statuses = await Task.WhenAll(running.Select(i => StatusAsync(plan.Nodes[i])));
            if (statuses.All(s => s is not null) && statuses.Count(s => s!.Role == "leader") == 1)
                return running[Array.FindIndex(statuses, s => s!.Role == "leader")];
            await Task.Delay(100);
        }
        throw new TimeoutException($"no single leader within {bound.TotalSeconds} s\n{Logs(plan)}");
    }

    /// <summary>Waits until every running node answers with the same height and head hash.</summary>
    private async Task InSyncAsync(ConsortiumPlan plan, ConsortiumNodeProcess?[] nodes, TimeSpan? bound = null)
    {
        var waited = Stopwatch.StartNew();
        IReadOnlyList<Status?> last = [];
        while (waited.Elapsed < (bound ?? SyncBound))
        {
            ThrowIfOneExited(plan, nodes);
            last = await Task.WhenAll(Enumerable.Range(0, nodes.Length).Where(i => nodes[i] is not null).Select(i => StatusAsync(plan.Nodes[i])));
            if (last.All(s => s is not null) && last.Select(s => (s!.Height, s.Head)).Distinct().Count() == 1) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"replicas not in sync: {string.Join(", ", last.Select(s => s is null ? "no answer" : $"{s.Height}/{s.Head}"))}\n{Logs(plan)}");
    }

    private static void ThrowIfOneExited(ConsortiumPlan plan, ConsortiumNodeProcess?[] nodes)
    {
        if (nodes.FirstOrDefault(n => n is { HasExited: true }) is { } dead)
            throw new InvalidOperationException($"node {dead.Node.NodeId} exited with {dead.ExitCode}\n{Logs(plan)}");
    }

    private static string Logs(ConsortiumPlan plan) => string.Join("\n", plan.Nodes.Select(n =>
    {
        try
        {
            using var stream = new FileStream(n.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var text = new StreamReader(stream).ReadToEnd();
            return $"--- {n.NodeId} (last 3000 chars)\n{text[Math.Max(0, text.Length - 3000)..]}";
        }
        catch (IOException) { return $"--- {n.NodeId}: no log"; }
    }));

    /// <summary>Four submitters, each cycling over the running nodes, until stopped; acknowledged ids are collected.</summary>
    private sealed class Load : IDisposable
    {
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
        private readonly List<Task> _workers;
        private readonly ConcurrentDictionary<string, byte> _acknowledged;
        private int _refused;

        public Load(ConsortiumProcessTests test, ConsortiumPlan plan, ConsortiumNodeProcess?[] nodes, ConcurrentDictionary<string, byte> acknowledged)
        {
            _acknowledged = acknowledged;
            _workers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var n = w; !_stop.IsCancellationRequested; n++)
                {
                    var node = plan.Nodes[n % plan.Nodes.Count];
                    try
                    {
                        var (code, id, _) = await test.SubmitAsync(node, _stop.Token);
                        if (code == HttpStatusCode.OK) _acknowledged[id] = 0;
                        else Interlocked.Increment(ref _refused);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
                    {
                        Interlocked.Increment(ref _refused); // the killed node, or the end of the load
                        try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
                    }
                }
            }))];
        }

        public int Refused => Volatile.Read(ref _refused);

        public async Task UntilAcknowledgedAsync(int count, TimeSpan bound)
        {
            var waited = Stopwatch.StartNew();
            while (_acknowledged.Count < count && waited.Elapsed < bound) await Task.Delay(20);
            Assert.True(_acknowledged.Count >= count, $"only {_acknowledged.Count} of {count} writes acknowledged within {bound.TotalSeconds} s ({Refused} refused)");
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
        }

        public void Dispose()
        {
            // Also on a failed assertion: no submitter outlives the test.
            _stop.Cancel();
            Task.WhenAll(_workers).Wait(TimeSpan.FromSeconds(30));
            _stop.Dispose();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
