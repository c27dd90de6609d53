using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HealthPortal.Data;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Operator;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Features.Operations;

/// <summary>
/// The real executable (HealthPortal.dll beside the tests, Development, demo consortium) under submission load over
/// HTTP, then SIGTERM, as systemd stops it. The load is the interop API: every signed
/// <c>$everything</c> a facility reads under a grant commits an <c>access.log</c> transaction before it is answered,
/// so each 200 is an acknowledged write. The portal must exit 0 within 10 s, leave no WAL behind, pass
/// <c>ledger verify</c>, and hold every access it answered.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IDisposable
{
    private const string Staff = "st-TestStaffPseudonymOfNoAccountAtAllxxxxxxxxx";
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(10);
    private readonly string _root = Directory.CreateTempSubdirectory("hp-shutdown-").FullName;
    private string Data => Path.Combine(_root, "data");

    [Fact]
    public async Task Sigterm_UnderInteropLoad_StopsAcceptingBeforeTheLedger_ExitsZeroWithin10s_LeavesNoWal_AndKeepsEveryAnsweredAccess()
    {
        // First start: the demo consortium is seeded (facilities, patients, records and their anchors); an idle stop.
        await using (var first = await Portal.StartAsync(Data, _root))
        {
            var (code, elapsed) = await first.TerminateAsync();
            Assert.True(code == 0 && elapsed < ExitLimit, $"idle stop: exit {code} after {elapsed.TotalSeconds:F1} s\n{first.Log}");
        }

        // Between the runs, as the patient would in their portal: grant the laboratory the hospital's records.
        var (mpi, laboratory) = await GrantLaboratoryTheHospitalRecords();

        await using var portal = await Portal.StartAsync(Data, _root);
        using var http = new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var target = $"/fhir/r4/Patient/{mpi}/$everything";
        var answered = 0;
        var refused = 0; // answered, but not 200
        var cut = 0; // no answer: the listener was closed or the connection dropped
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var load = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested && !portal.HasExited)
            {
                var request = InteropSignature.Sign(laboratory, "GET", target, Staff, Purposes.Treatment, null, TimeProvider.System);
                using var message = new HttpRequestMessage(HttpMethod.Get, target);
                foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
                try
                {
                    using var response = await http.SendAsync(message, stopLoad.Token);
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref answered);
                    else Interlocked.Increment(ref refused);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref cut); // the listener closed: stopping, as asked
                }
            }
        })).ToList();
        var waitForLoad = Stopwatch.StartNew();
        while (Volatile.Read(ref answered) < 30 && waitForLoad.Elapsed < TimeSpan.FromSeconds(90) && !portal.HasExited) await Task.Delay(20);
        Assert.True(answered >= 30, $"the load never got going: {answered} answered, {refused} refused\n{portal.Log}");

        // While it stops, a probe keeps opening TCP connections to the port, to see when the listener closes.
        using var stopProbe = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var probe = ProbeListenerAsync(portal.BaseAddress.Port, stopProbe.Token);
        var (exit, took) = await portal.TerminateAsync();
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        var connects = await probe;
        output.WriteLine($"SIGTERM under load: exit {exit} after {took.TotalMilliseconds:F0} ms; {answered} accesses answered, {refused} refused, {cut} cut");

        Assert.True(exit == 0, $"exit code {exit}\n{portal.Log}");
        Assert.True(took < ExitLimit, $"took {took.TotalSeconds:F1} s to exit\n{portal.Log}");
        Assert.Contains("Ledger closed cleanly", portal.Log);
        // The stop order: Kestrel stops accepting first, the requests it had taken finish on a ledger still open
        // (none is answered with a refusal), and only then does the ledger stop. A connection the listener accepted
        // after the ledger began to stop would mean the order is reversed.
        Assert.True(refused == 0, $"{refused} requests taken before the stop were answered with a refusal instead of finishing\n{portal.Log}");
        var ledgerStopping = portal.TimeOf("Ledger stopping");
        var closedAt = connects.FirstOrDefault(c => !c.Accepted).Started;
        output.WriteLine($"listener closed by {closedAt:HH:mm:ss.fff}, ledger stopping at {ledgerStopping:HH:mm:ss.fff}; {connects.Count} probe connects");
        Assert.True(closedAt != default, "the listener never closed while the portal stopped");
        var late = connects.Where(c => c.Accepted && c.Started > ledgerStopping.AddMilliseconds(1)).ToList();
        Assert.True(late.Count == 0, $"{late.Count} connections were accepted after the ledger began to stop at {ledgerStopping:HH:mm:ss.fff} (first at {late.FirstOrDefault().Started:HH:mm:ss.fff})");
        var wal = new FileInfo(Path.Combine(Data, LedgerHost.LedgerFileName + "-wal"));
        Assert.True(!wal.Exists || wal.Length == 0, $"the WAL holds {(wal.Exists ? wal.Length : 0)} bytes after a clean stop");

        var verify = new StringWriter();
        Assert.True(OperatorCommands.Run(["ledger", "verify", "--data", Data], verify) == 0, verify.ToString());
        using var store = HealthPortal.Ledger.Storage.SqliteBlockStore.Open(Path.Combine(Data, LedgerHost.LedgerFileName), readOnly: true);
        var logged = store.AccessesOf(mpi).Count(a => a.Facility == laboratory.Id);
        Assert.True(logged >= answered, $"{answered} accesses were answered but only {logged} are on the ledger");
    }

    /// <summary>The first demo patient grants the laboratory every category the hospital anchored for them (ledger opened offline).</summary>
    private async Task<(string Mpi, HealthPortal.Ledger.Crypto.LedgerKeyPair Laboratory)> GrantLaboratoryTheHospitalRecords()
    {
        SqliteConnection.ClearAllPools();
        // Development without a key-encryption key: the ring is plain XML, readable as the portal reads it.
        var protection = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(Data, "keys")), b => b.SetApplicationName("HealthPortal"));
        var vault = new ServerKeyVault(protection, Path.Combine(Data, "ledger-keys"));
        var options = new DbContextOptionsBuilder<ApplicationDbContext>().UseSqlite($"Data Source={Path.Combine(Data, "identity.db")};Pooling=False").Options;
        string userId, mpi, hospital, laboratory;
        await using (var db = new ApplicationDbContext(options))
        {
            var email = DemoData.Patients[0].Email;
            userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            mpi = (await db.PatientProfiles.Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleAsync())!;
            hospital = (await db.Facilities.Where(f => f.Id == "demo-riverside").Select(f => f.NodeKeyId).SingleAsync())!;
            laboratory = (await db.Facilities.Where(f => f.Id == "demo-northgate").Select(f => f.NodeKeyId).SingleAsync())!;
        }
        var patientKey = vault.Get(DemoData.DemoPatientKeyName(userId));
        var laboratoryKey = vault.Get(ServerKeyVault.FacilityNode("demo-northgate"));
        Assert.Equal(laboratory, laboratoryKey.Id);

        await using (var engine = LedgerEngine.Open(new LedgerOptions { DatabasePath = Path.Combine(Data, LedgerHost.LedgerFileName) }, null, vault.Get(ServerKeyVault.GenesisNode)))
        {
            var categories = engine.Reader.RecordsOf(mpi).Where(r => r.Facility == hospital).Select(r => r.Category).Distinct().ToList();
            Assert.NotEmpty(categories);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var grant = new TransactionFactory().GrantIssue(mpi, laboratory, categories, Purposes.Treatment, now - 60_000, now + 3_600_000).SignWith(patientKey);
            var result = await engine.SubmitAsync(grant);
            Assert.True(result.IsCommitted, result.ToString());
        }
        SqliteConnection.ClearAllPools();
        return (mpi, laboratoryKey);
    }

    /// <summary>
    /// Opens a TCP connection to <paramref name="port"/> every few milliseconds until one is refused or the time is up;
    /// each attempt with the wall-clock time it started (the clock the portal's log timestamps use).
    /// </summary>
    private static async Task<List<(DateTime Started, bool Accepted)>> ProbeListenerAsync(int port, CancellationToken stop)
    {
        var attempts = new List<(DateTime, bool)>();
        while (!stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            using var client = new TcpClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                attempts.Add((started, true));
            }
            catch (SocketException)
            {
                attempts.Add((started, false));
                break;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await Task.Delay(2, CancellationToken.None);
        }
        return attempts;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>One run of the real app on loopback, its console captured, stopped with SIGTERM.</summary>
    private sealed class Portal : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();

        private Portal(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                    // The console writes "<timestamp> level: category" and then the message on the lines below it.
                    if (e.Data.Length > Stamp.Length && DateTime.TryParseExact(e.Data[..Stamp.Length], Stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)) _lastStamp = at;
                    else _firstSeen.TryAdd(e.Data.Trim(), _lastStamp);
                }
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine("ERR " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Uri BaseAddress { get; }
        public bool HasExited => _process.HasExited;

        /// <summary>The console's timestamp format, set for the run (UTC, to the millisecond).</summary>
        private const string Stamp = "yyyy-MM-ddTHH:mm:ss.fff";
        private DateTime _lastStamp;
        private readonly Dictionary<string, DateTime> _firstSeen = [];

        /// <summary>When the portal logged the first message starting with <paramref name="message"/> (UTC).</summary>
        public DateTime TimeOf(string message)
        {
            lock (_log)
                return _firstSeen.FirstOrDefault(m => m.Key.StartsWith(message, StringComparison.Ordinal)).Value is var at && at != default
                    ? at : throw new InvalidOperationException($"the portal never logged '{message}'\n{_log}");
        }

        public string Log
        {
            get { lock (_log) return _log.ToString(); }
        }

        public static async Task<Portal> StartAsync(string data, string workingDirectory)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HealthPortal.dll"));
            start.ArgumentList.Add("--data");
            start.ArgumentList.Add(data);
            foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HealthPortal__", StringComparison.Ordinal) || k.StartsWith("Kestrel__", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(inherited);
            start.Environment["DOTNET_gcServer"] = "0";
            start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = Stamp + " ";
            start.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            start.Environment["HealthPortal__Demo__Seed"] = "true";
            start.Environment["HealthPortal__Demo__Password"] = "test-demo-password-2026";
            start.Environment["Ledger__Genesis__PatientPowDifficultyBits"] = "8";
            start.Environment["Ledger__Genesis__FacilityPowDifficultyBits"] = "8";
            // The load is the point here; the interop limiter would otherwise answer most of it 429.
            start.Environment["HealthPortal__RateLimits__Interop__PermitLimit"] = "1000000";
            var portal = new Portal(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(120))
            {
                if (portal.HasExited) throw new InvalidOperationException($"the portal exited at start ({portal._process.ExitCode})\n{portal.Log}");
                try
                {
                    if ((await http.GetAsync(new Uri(portal.BaseAddress, "/health/ready"))).StatusCode == HttpStatusCode.OK) return portal;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(200);
            }
            await portal.DisposeAsync();
            throw new TimeoutException("the portal was not ready within 120 s\n" + portal.Log);
        }

        /// <summary>Sends SIGTERM and waits (bounded) for the exit; returns its code and how long it took.</summary>
        public async Task<(int Code, TimeSpan Elapsed)> TerminateAsync()
        {
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(limit.Token);
            var elapsed = clock.Elapsed;
            _process.WaitForExit(); // drains the redirected output
            return (_process.ExitCode, elapsed);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
