using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HealthPortal.E2E.Consortium;

/// <summary>
/// A three-organisation demo consortium as real OS processes: <c>dotnet HealthPortal.dll consortium up --nodes 3</c>
/// on a fresh data folder, exactly what an operator runs (Riverside hospital, Lakeview clinic, Northgate laboratory,
/// each its own node process, data folder and demo accounts). One per test class; stopped with SIGTERM (which stops
/// every node) and its folder deleted afterwards.
/// </summary>
public sealed class ConsortiumProcesses : IAsyncLifetime
{
    /// <summary>Bound for the whole consortium to come up and seed (three .NET processes on a busy 2-core machine).</summary>
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(150);

    public const string DemoPassword = "e2e-demo-password-2026";

    private readonly StringBuilder output = new();
    private Process? process;

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("healthportal-e2e-consortium-").FullName;

    /// <summary>Each node's id ("riverside", "lakeview", "northgate") and the <c>http://localhost:PORT/</c> a browser uses.</summary>
    public IReadOnlyDictionary<string, Uri> Nodes { get; private set; } = new Dictionary<string, Uri>();

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "HealthPortal.dll"), "consortium", "up", "--nodes", "3", "--data", DataFolder })
            start.ArgumentList.Add(a);
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HealthPortal__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["HealthPortal__Demo__Seed"] = "true";
        start.Environment["HealthPortal__Demo__Password"] = DemoPassword;
        // Proof of work is a genesis parameter: cheap here so the nodes' demo patients register fast.
        start.Environment["Ledger__Genesis__PatientPowDifficultyBits"] = "8";
        start.Environment["Ledger__Genesis__FacilityPowDifficultyBits"] = "8";
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine("ERR " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartBound && !process.HasExited && !Output.Contains("The consortium is up", StringComparison.Ordinal))
            await Task.Delay(200);
        if (!Output.Contains("The consortium is up", StringComparison.Ordinal))
            throw new InvalidOperationException($"consortium up did not come up within {StartBound.TotalSeconds} s:\n{Output}");

        // "  riverside  Riverside General Hospital  http://127.0.0.1:PORT  leader": localhost for the browser
        // (WebAuthn and secure-context APIs refuse IP-address origins).
        Nodes = Output.Split('\n')
            .SkipWhile(l => !l.StartsWith("The consortium is up", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[0], f => new UriBuilder(f.First(x => x.StartsWith("http://", StringComparison.Ordinal))) { Host = "localhost" }.Uri);

        // Each node seeds its own demo facts (its patients' registrations, its records' anchors) through the
        // replicated ledger after it is up; the journey needs them on every replica.
        while (waited.Elapsed < StartBound && !Nodes.Keys.All(n => NodeLog(n).Contains("Demo ledger facts of this node are on the replicated ledger", StringComparison.Ordinal)))
            await Task.Delay(200);
        if (!Nodes.Keys.All(n => NodeLog(n).Contains("Demo ledger facts of this node are on the replicated ledger", StringComparison.Ordinal)))
            throw new InvalidOperationException($"the nodes' demo facts were not on the ledger within {StartBound.TotalSeconds} s:\n{Output}");
    }

    /// <summary>What a node wrote to its log so far (the file <c>consortium up</c> gives each node).</summary>
    public string NodeLog(string node)
    {
        var path = Path.Combine(DataFolder, node, "node.log");
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public async Task DisposeAsync()
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                // SIGTERM to consortium up stops every node cleanly; only if that hangs is the tree killed.
                using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                    await term.WaitForExitAsync();
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await process.WaitForExitAsync(limit.Token); }
                catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
            }
            process.Dispose();
        }
        try { Directory.Delete(DataFolder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
