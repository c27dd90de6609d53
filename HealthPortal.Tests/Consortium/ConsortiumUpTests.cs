using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Operator;
using HealthPortal.Ledger.Blocks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// <c>consortium up</c>: its arguments, what it provisions (once), which demo accounts each node seeds, and the
/// command itself as an OS process — three nodes up with one leader, each login page listing that node's accounts,
/// each node's demo facts on every replica once, a dead node reported, SIGTERM stopping everything, a second run
/// reusing the folder without adding a fact.
/// </summary>
public sealed class ConsortiumUpTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hp-up-").FullName;

    private static IConfiguration Settings() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Ledger:Genesis:PatientPowDifficultyBits"] = "8",
        ["Ledger:Genesis:FacilityPowDifficultyBits"] = "8",
    }).Build();

    [Theory]
    [InlineData("--nodes", "0")]
    [InlineData("--nodes", "6")]
    [InlineData("--nodes", "three")]
    [InlineData("--nodes")]
    [InlineData("--frobnicate")]
    [InlineData("--data")]
    public void BadArguments_ExitWith2_AndOneLine(params string[] rest)
    {
        var text = new StringWriter();
        Assert.Equal(2, OperatorCommands.Run(["consortium", "up", .. rest], text));
        Assert.Single(text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("BAD ", text.ToString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public void Provisioning_GivesEachOrganisationItsNodeAndOneGenesis_AndASecondRunChangesNothing()
    {
        var plan = ConsortiumProvisioner.Provision(_root, 3, Settings(), "Development");
        Assert.True(plan.Created);
        Assert.Equal(["riverside", "lakeview", "northgate"], plan.Nodes.Select(n => n.NodeId));
        var genesisFile = Path.Combine(_root, ConsortiumProvisioner.GenesisFileName);
        var genesis = SignedGenesis.FromJson(JsonNode.Parse(File.ReadAllText(genesisFile))).ValueOrThrow();
        Assert.Equal([.. DemoData.Facilities.Select(f => f.Name)], genesis.Genesis.ApprovedAtGenesis.Select(n => n.Name));
        Assert.Equal(3, genesis.Genesis.ApprovedAtGenesis.Select(n => n.Key.Thumbprint()).Distinct().Count());
        Assert.Single(genesis.Genesis.Admins);

        var endpoints = new HashSet<string>();
        foreach (var node in plan.Nodes)
        {
            // The node's settings are valid raft settings naming itself, and its genesis copy is the shared one.
            var settings = new ConfigurationBuilder().AddJsonFile(node.SettingsFile).Build();
            var network = settings.GetSection(NetworkSettings.Section).Get<NetworkSettings>()!;
            Assert.False(new NetworkSettingsValid().Validate(null, network).Failed);
            Assert.Equal(node.NodeId, network.NodeId);
            Assert.Equal(File.ReadAllText(genesisFile), File.ReadAllText(network.GenesisFile!));
            Assert.True(File.Exists(Path.Combine(node.DataFolder, "ledger-keys", "genesis-node.key")));
            Assert.Equal(node.Facility.Id, settings["HealthPortal:Demo:Facility"]);
            endpoints.Add(node.PublicUrl.ToString());
            foreach (var m in network.Members) { endpoints.Add(m.RaftEndpoint); endpoints.Add(m.ForwardEndpoint); }
            Assert.Equal(ConsortiumProvisioner.EnvironmentOf(node)["HealthPortal__Network__NodeId"], node.NodeId);
        }
        Assert.Equal(3 + 3 * 2, endpoints.Count); // every port distinct
        // Only the genesis node holds the consortium admin key.
        Assert.Equal([true, false, false], plan.Nodes.Select(n => File.Exists(Path.Combine(n.DataFolder, "ledger-keys", "consortium-admin.key"))));

        var genesisBytes = File.ReadAllBytes(genesisFile);
        var again = ConsortiumProvisioner.Provision(_root, 3, Settings(), "Development");
        Assert.False(again.Created);
        Assert.Equal(plan.Nodes.Select(n => n.PublicUrl), again.Nodes.Select(n => n.PublicUrl));
        Assert.Equal(genesisBytes, File.ReadAllBytes(genesisFile));
        Assert.Throws<ConsortiumSetupException>(() => ConsortiumProvisioner.Provision(_root, 2, Settings(), "Development"));
    }

    [Fact]
    public void OwnMachines_EachNodeMakesItsKey_TheSealerSignsOneGenesisFromThePublicEntries_ThatEveryNodesSettingsAccept()
    {
        // As in Production: each node's key ring encrypted with its key-encryption key.
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HealthPortal:KeyRing:KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Ledger:Genesis:ChainId"] = "own-machines",
        }).Build();
        string[] names = ["Riverside General Hospital", "Lakeview Family Clinic", "Northgate Diagnostics Laboratory"];
        string[] kinds = ["hospital", "clinic", "laboratory"];
        var entries = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            string[] args = ["--data", Path.Combine(_root, $"org{i}"), "--name", names[i], "--kind", kinds[i], "--endpoint", $"https://org{i}.example/fhir"];
            var first = new StringWriter();
            Assert.Equal(0, ConsortiumSetup.Key(args, first, settings));
            var again = new StringWriter();
            Assert.Equal(0, ConsortiumSetup.Key(args, again, settings));
            Assert.Equal(first.ToString(), again.ToString()); // made once, then read back through the encrypted key ring
            entries.Add(first.ToString().Trim());
        }
        Assert.Equal(2, ConsortiumSetup.Key(["--data", Path.Combine(_root, "org9"), "--name", "X", "--kind", "pharmacy", "--endpoint", "https://x.example"], new StringWriter(), settings));

        var organisations = Path.Combine(_root, "organisations.json");
        File.WriteAllText(organisations, "[" + string.Join(",", entries) + "]");
        var genesisFile = Path.Combine(_root, "genesis.json");
        // Only the first organisation (the sealer) can sign it.
        Assert.Equal(1, ConsortiumSetup.Genesis(["--data", Path.Combine(_root, "org1"), "--organisations", organisations, "--out", genesisFile], new StringWriter(), settings));
        Assert.False(File.Exists(genesisFile));
        var sealed_ = new StringWriter();
        Assert.Equal(0, ConsortiumSetup.Genesis(["--data", Path.Combine(_root, "org0"), "--organisations", organisations, "--out", genesisFile], sealed_, settings));
        Assert.StartsWith("OK genesis chain=own-machines organisations=3", sealed_.ToString());
        Assert.Equal(1, ConsortiumSetup.Genesis(["--data", Path.Combine(_root, "org0"), "--organisations", organisations, "--out", genesisFile], new StringWriter(), settings));

        var genesis = SignedGenesis.FromJson(JsonNode.Parse(File.ReadAllText(genesisFile))).ValueOrThrow();
        Assert.Equal(names, genesis.Genesis.ApprovedAtGenesis.Select(n => n.Name));
        var network = new NetworkSettings
        {
            Mode = "raft", NodeId = "lakeview", GenesisFile = genesisFile,
            Members = [.. new[] { "riverside", "lakeview", "northgate" }.Select((id, i) => new NetworkSettings.MemberSettings
            {
                NodeId = id, RaftEndpoint = $"10.0.0.{i + 1}:7001", ForwardEndpoint = $"10.0.0.{i + 1}:7002", PublicUrl = $"https://org{i}.example",
            })],
        };
        Assert.False(new NetworkSettingsValid().Validate(null, network).Failed);
    }

    [Fact]
    public void FiveNodes_AddHillsideAndEastbank_AsFoundersOfTheSameGenesis()
    {
        var plan = ConsortiumProvisioner.Provision(Path.Combine(_root, "five"), 5, Settings(), "Development");
        Assert.Equal(["riverside", "lakeview", "northgate", "hillside", "eastbank"], plan.Nodes.Select(n => n.NodeId));
        var genesis = SignedGenesis.FromJson(JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "five", ConsortiumProvisioner.GenesisFileName)))).ValueOrThrow();
        Assert.Equal(DemoData.ConsortiumFacilities.Select(f => f.Name), genesis.Genesis.ApprovedAtGenesis.Select(n => n.Name));
        Assert.All(plan.Nodes, n => Assert.Equal("5", new ConfigurationBuilder().AddJsonFile(n.SettingsFile).Build()
            .GetSection("HealthPortal:Network:Members").GetChildren().Count().ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void DemoPatients_SignUpAtTheirHomeNode_OrAtTheFirstWhenItIsNotInTheConsortium()
    {
        var three = DemoData.ConsortiumFacilities.Take(3).ToList();
        Assert.Equal([DemoData.Patients[1].Email], ConsortiumProvisioner.PatientsSignedUpAt("demo-riverside", three).Select(p => p.Email));
        Assert.Equal([DemoData.Patients[0].Email], ConsortiumProvisioner.PatientsSignedUpAt("demo-lakeview", three).Select(p => p.Email));
        Assert.Empty(ConsortiumProvisioner.PatientsSignedUpAt("demo-northgate", three));
        Assert.Equal(2, ConsortiumProvisioner.PatientsSignedUpAt("demo-riverside", DemoData.ConsortiumFacilities.Take(1).ToList()).Count());
    }

    [Fact]
    public void EachNode_ListsItsOwnDemoAccounts_TheEmbeddedModeAllOfThem()
    {
        Assert.Equal(DemoData.Accounts, DemoData.AccountsOf(new DemoOptions()));
        var lakeview = DemoData.AccountsOf(new DemoOptions { Facility = "demo-lakeview", Patients = [DemoData.Patients[0].Email] });
        Assert.Equal(["lakeview.manager", "lakeview.staff", "aye.patient"], lakeview.Select(a => a.Email.Split('@')[0]));
        var riverside = DemoData.AccountsOf(new DemoOptions { Facility = "demo-riverside", Patients = [DemoData.Patients[1].Email] });
        Assert.Contains(riverside, a => a.Role == Roles.Admin);
        Assert.DoesNotContain(lakeview, a => a.Role == Roles.Admin);
        Assert.Equal(2, DemoData.AccountsOf(new DemoOptions { Facility = "demo-eastbank" }).Count);
    }

    [Fact]
    public async Task ConsortiumUp_AsAProcess_StartsThreeOrganisations_SeedsEachOnce_ReportsADeadNode_AndStopsOnSigterm()
    {
        var data = Path.Combine(_root, "consortium");
        await using (var first = Up.Start(data))
        {
            var listed = await first.WaitForAsync("The consortium is up", TimeSpan.FromSeconds(120));
            output.WriteLine(listed);
            var nodes = first.Nodes();
            Assert.Equal(["riverside", "lakeview", "northgate"], nodes.Select(n => n.Id));
            Assert.Single(nodes, n => n.Role == "leader");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var login = await Task.WhenAll(nodes.Select(n => http.GetStringAsync(n.Url + "/Account/Login")));
            Assert.Contains("riverside.staff@", login[0]);
            Assert.Contains("admin@", login[0]);
            Assert.Contains("min.patient@", login[0]);
            Assert.DoesNotContain("lakeview.staff@", login[0]);
            Assert.Contains("lakeview.staff@", login[1]);
            Assert.Contains("aye.patient@", login[1]);
            Assert.DoesNotContain("min.patient@", login[1]);
            Assert.DoesNotContain("admin@", login[1]);
            Assert.Contains("northgate.manager@", login[2]);
            Assert.DoesNotContain("aye.patient@", login[2]);

            // Each node's own facts (its patients' registrations, its records' anchors) reach every replica.
            await WaitUntilAsync(() => nodes.All(n => NodeLog(data, n.Id).Contains("Demo ledger facts of this node are on the replicated ledger")), TimeSpan.FromSeconds(90), () => first.Output);
            await WaitUntilAsync(async () => (await Task.WhenAll(nodes.Select(n => http.GetStringAsync(n.Url + "/node/status"))))
                .Select(s => s.Split(' ').Where(f => f.StartsWith("height=", StringComparison.Ordinal) || f.StartsWith("head=", StringComparison.Ordinal)).Aggregate("", (a, b) => a + b)).Distinct().Count() == 1,
                TimeSpan.FromSeconds(30), () => first.Output);

            var (code, took) = await first.TerminateAsync();
            output.WriteLine($"consortium up stopped in {took.TotalSeconds:F1} s:\n{first.Output}");
            Assert.Equal(0, code);
            Assert.Contains("All nodes stopped.", first.Output);
            foreach (var n in nodes)
            {
                Assert.Contains("Ledger closed cleanly", NodeLog(data, n.Id));
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(n.Url + "/node/status"));
            }
        }
        var afterFirst = VerifyLines(data);
        Assert.Single(afterFirst.Distinct());
        // Riverside: Min registered and 6 hospital records anchored; Lakeview: Aye registered and 2 clinic records anchored.
        Assert.EndsWith("transactions=10", afterFirst[0]);

        // A second run reuses the folder (keys, chain, ports) and adds no fact; a node killed with SIGKILL is reported.
        await using (var second = Up.Start(data))
        {
            await second.WaitForAsync("The consortium is up", TimeSpan.FromSeconds(120));
            Assert.Contains("Starting the consortium of 3 node(s) provisioned in", second.Output);
            await WaitUntilAsync(() => NodeLog(data, "northgate").Split("Demo ledger facts of this node are on the replicated ledger").Length == 3, TimeSpan.FromSeconds(60), () => second.Output);
            var northgate = NodeProcessIds(Path.Combine(data, "northgate", "data"));
            Assert.Single(northgate);
            using (var kill = Process.Start("kill", ["-KILL", northgate[0].ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            await second.WaitForAsync("node northgate (Northgate Diagnostics Laboratory) exited with code 137", TimeSpan.FromSeconds(20));
            var (code, _) = await second.TerminateAsync();
            Assert.Equal(0, code);
        }
        var afterSecond = VerifyLines(data);
        Assert.Equal(afterFirst[0], afterSecond[0]);
        Assert.Equal(afterFirst[1], afterSecond[1]);

        // The command itself killed with SIGKILL (no chance to stop its children): every node sees its standard
        // input close, stops on its own (ParentWatch), and the replicas are intact.
        await using (var third = Up.Start(data))
        {
            await third.WaitForAsync("The consortium is up", TimeSpan.FromSeconds(120));
            var folders = new[] { "riverside", "lakeview", "northgate" }.Select(n => Path.Combine(data, n, "data")).ToList();
            Assert.Equal(3, folders.Sum(f => NodeProcessIds(f).Count));
            third.KillCommandOnly();
            try
            {
                await WaitUntilAsync(() => folders.All(f => NodeProcessIds(f).Count == 0), TimeSpan.FromSeconds(45), () => NodeLog(data, "riverside"));
            }
            finally
            {
                // Failed or not, no node of this test outlives it.
                foreach (var pid in folders.SelectMany(NodeProcessIds))
                    try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
        }
        Assert.Single(VerifyLines(data).Distinct());
    }

    private static string NodeLog(string data, string node)
    {
        var path = Path.Combine(data, node, "node.log");
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private static List<string> VerifyLines(string data)
    {
        SqliteConnection.ClearAllPools();
        var lines = new[] { "riverside", "lakeview", "northgate" }.Select(n =>
        {
            var verify = new StringWriter();
            Assert.Equal(0, OperatorCommands.Run(["ledger", "verify", "--data", Path.Combine(data, n, "data")], verify));
            return verify.ToString().Trim();
        }).ToList();
        SqliteConnection.ClearAllPools();
        return lines;
    }

    /// <summary>Processes whose command line names this data folder (the nodes this test's <c>consortium up</c> started).</summary>
    private static List<int> NodeProcessIds(string dataFolder) => [.. Directory.EnumerateDirectories("/proc")
        .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0, Dir: d))
        .Where(p => p.Pid > 0)
        .Where(p =>
        {
            try { return File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Split('\0').Contains(dataFolder); }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        })
        .Select(p => p.Pid)];

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, Func<string> context)
        => await WaitUntilAsync(() => Task.FromResult(condition()), bound, context);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, Func<string> context)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < bound)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"not within {bound.TotalSeconds} s\n{context()}");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary><c>dotnet HealthPortal.dll consortium up --data DIR</c>, its console captured.</summary>
    private sealed class Up : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private Up(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine("ERR " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public static Up Start(string data)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "HealthPortal.dll"), "consortium", "up", "--nodes", "3", "--data", data }) start.ArgumentList.Add(a);
            foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HealthPortal__", StringComparison.Ordinal)).ToList()) start.Environment.Remove(inherited);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            start.Environment["HealthPortal__Demo__Seed"] = "true";
            start.Environment["HealthPortal__Demo__Password"] = "test-demo-password-2026";
            start.Environment["Ledger__Genesis__PatientPowDifficultyBits"] = "8";
            start.Environment["Ledger__Genesis__FacilityPowDifficultyBits"] = "8";
            return new Up(Process.Start(start)!);
        }

        public async Task<string> WaitForAsync(string text, TimeSpan bound)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < bound && !_process.HasExited && !Output.Contains(text, StringComparison.Ordinal)) await Task.Delay(100);
            Assert.True(Output.Contains(text, StringComparison.Ordinal), $"'{text}' not printed within {bound.TotalSeconds} s:\n{Output}");
            return Output;
        }

        /// <summary>The node lines printed once the consortium is up: id, URL, role.</summary>
        public List<(string Id, string Url, string Role)> Nodes() => [.. Output.Split('\n')
            .SkipWhile(l => !l.StartsWith("The consortium is up", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (f[0], f.First(x => x.StartsWith("http://", StringComparison.Ordinal)), f[^1]))];

        /// <summary>SIGKILL to the command alone, not its process tree: what an operator's kill -9 does.</summary>
        public void KillCommandOnly()
        {
            using var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill?.WaitForExit();
            _process.WaitForExit();
        }

        public async Task<(int Code, TimeSpan Took)> TerminateAsync()
        {
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // beyond the command's own 30 s before SIGKILL
            await _process.WaitForExitAsync(limit.Token);
            _process.WaitForExit();
            return (_process.ExitCode, clock.Elapsed);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // The nodes first (SIGTERM to consortium up stops them), then whatever is left.
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(45));
                try { await _process.WaitForExitAsync(limit.Token); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
            }
            _process.Dispose();
        }
    }
}
