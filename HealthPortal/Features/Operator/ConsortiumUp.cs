using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Operator;

/// <summary>
/// <c>consortium up [--nodes N] [--data DIR]</c>: a local demo consortium of N organisations, each its own OS process
/// of this same executable with its own data folder, node key and port, ordering by Raft on loopback. Provisions DIR
/// once (<see cref="ConsortiumProvisioner"/>), starts the nodes, prints each node's name, URL and role, reports a node
/// that dies and a change of leader, and on Ctrl+C or SIGTERM stops every node with SIGTERM (SIGKILL after 30 s).
/// </summary>
public static class ConsortiumUp
{
    public const string DefaultData = "consortium";
    // A node's own graceful stop is bounded by its host (8 s) plus the ledger's close; at a load average of 35 a
    // clean stop took longer than 10 s (ConsortiumUpTests, 2026-12-07: lakeview killed mid-stop). A kill is safe for
    // the ledger but loses the clean close, so the command waits well past the node's own bound before it kills.
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(3);

    public static int Run(string[] rest, TextWriter output, IConfiguration configuration)
    {
        var nodes = 3;
        var data = DefaultData;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--nodes" when i + 1 < rest.Length:
                    if (!int.TryParse(rest[++i], NumberStyles.None, CultureInfo.InvariantCulture, out nodes) || nodes is < 1 or > ConsortiumProvisioner.MaxNodes)
                    {
                        output.WriteLine($"BAD --nodes must be a number from 1 to {ConsortiumProvisioner.MaxNodes} (is '{rest[i]}')");
                        return 2;
                    }
                    break;
                case "--data" when i + 1 < rest.Length:
                    data = rest[++i];
                    break;
                default:
                    output.WriteLine($"BAD unknown or incomplete option '{rest[i]}'; usage: consortium up [--nodes 1-{ConsortiumProvisioner.MaxNodes}] [--data DIR]");
                    return 2;
            }
        }

        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development";
        ConsortiumPlan plan;
        try
        {
            plan = ConsortiumProvisioner.Provision(data, nodes, configuration, environment);
        }
        catch (Exception e) when (e is ConsortiumSetupException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            output.WriteLine($"BAD {e.Message}");
            return 1;
        }
        output.WriteLine(plan.Created
            ? $"Provisioned a consortium of {plan.Nodes.Count} node(s) in {plan.Root}"
            : $"Starting the consortium of {plan.Nodes.Count} node(s) provisioned in {plan.Root}");

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var children = new List<ConsortiumNodeProcess>();
        try
        {
            foreach (var node in plan.Nodes)
            {
                try
                {
                    children.Add(ConsortiumNodeProcess.Start(node, ChildCommand.OfThisProcess(), Demo(configuration), environment));
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or ConsortiumSetupException)
                {
                    output.WriteLine($"BAD could not start the node {node.NodeId}: {e.Message}");
                    return 1;
                }
            }
            return Supervise(plan, children, output, configuration, stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            var clean = StopAll(children, output).GetAwaiter().GetResult();
            output.WriteLine(clean ? "All nodes stopped." : "Some nodes had to be killed; see their logs.");
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we stop the nodes first, then return
            stop.Cancel();
        }
    }

    private static IReadOnlyDictionary<string, string> Demo(IConfiguration configuration)
    {
        var demo = configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        return new Dictionary<string, string>
        {
            ["HealthPortal__Demo__Seed"] = demo.Seed ? "true" : "false",
            ["HealthPortal__Demo__Password"] = demo.Password,
        };
    }

    private static async Task<int> Supervise(ConsortiumPlan plan, List<ConsortiumNodeProcess> children, TextWriter output, IConfiguration configuration, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var started = Stopwatch.StartNew();
        var reported = new HashSet<string>();
        string? leader = null;
        var listed = false;
        while (!stop.IsCancellationRequested)
        {
            foreach (var child in children.Where(c => c.HasExited && reported.Add(c.Node.NodeId)))
                output.WriteLine($"node {child.Node.NodeId} ({child.Node.Facility.Name}) exited with code {child.ExitCode}; its log: {child.Node.LogFile}");
            if (children.All(c => c.HasExited))
            {
                output.WriteLine("BAD every node has exited");
                return 1;
            }

            var statuses = await Task.WhenAll(children.Select(c => c.HasExited ? Task.FromResult<NodeLine?>(null) : StatusOf(http, c.Node.PublicUrl, stop)));
            // Listed once every node still running answers and one of them leads (a node that died at start is shown as such).
            if (!listed && children.Zip(statuses).All(p => p.First.HasExited || p.Second is not null) && statuses.Any(s => s?.Role == "leader"))
            {
                listed = true;
                output.WriteLine($"The consortium is up after {started.Elapsed.TotalSeconds:F1} s:");
                for (var i = 0; i < children.Count; i++)
                    output.WriteLine($"  {children[i].Node.NodeId,-10} {children[i].Node.Facility.Name,-34} {children[i].Node.PublicUrl.ToString().TrimEnd('/'),-24} {statuses[i]?.Role ?? "exited"}");
                var demo = configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
                if (demo.Seed) output.WriteLine($"Each node's login page lists its own demo accounts (password {demo.Password}). Logs: {plan.Root}/<node>/node.log. Ctrl+C stops every node.");
                else output.WriteLine($"Logs: {plan.Root}/<node>/node.log. Ctrl+C stops every node.");
            }
            else if (!listed && started.Elapsed > ReadyLimit)
            {
                output.WriteLine($"BAD the consortium did not elect a leader within {ReadyLimit.TotalSeconds:F0} s; see the nodes' logs under {plan.Root}");
                return 1;
            }
            if (listed && statuses.FirstOrDefault(s => s?.Role == "leader") is { } now && now.Node != leader)
            {
                var by = children.Zip(statuses).First(p => p.Second == now).First.Node;
                if (leader is not null) output.WriteLine($"leader is now {by.NodeId} ({by.Facility.Name}), term {now.Term}");
                leader = now.Node;
            }
            try { await Task.Delay(listed ? 2000 : 500, stop); }
            catch (OperationCanceledException) { break; }
        }
        output.WriteLine("Stopping every node...");
        return 0;
    }

    /// <summary>A node's answer to <c>/node/status</c>, or null while it does not answer.</summary>
    private sealed record NodeLine(string Node, string Role, string Term);

    private static async Task<NodeLine?> StatusOf(HttpClient http, Uri url, CancellationToken stop)
    {
        try
        {
            var line = (await http.GetStringAsync(new Uri(url, "/node/status"), stop)).Trim();
            var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            return fields.TryGetValue("node", out var node) && fields.TryGetValue("role", out var role) ? new NodeLine(node, role, fields.GetValueOrDefault("term", "?")) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGTERM to every running node at once, then up to 10 s for them to exit; SIGKILL for any still running.</summary>
    public static async Task<bool> StopAll(IReadOnlyList<ConsortiumNodeProcess> children, TextWriter output)
    {
        foreach (var child in children) child.Terminate();
        var clean = true;
        using var limit = new CancellationTokenSource(StopLimit);
        foreach (var child in children)
        {
            if (await child.WaitForExitAsync(limit.Token)) continue;
            output.WriteLine($"node {child.Node.NodeId} did not stop within {StopLimit.TotalSeconds:F0} s; killing it");
            child.Kill();
            clean = false;
        }
        foreach (var child in children) child.Dispose();
        return clean;
    }
}

/// <summary>How to start another process of this app: the apphost itself, or <c>dotnet HealthPortal.dll</c>.</summary>
public sealed record ChildCommand(string FileName, IReadOnlyList<string> Prefix)
{
    public static ChildCommand OfThisProcess()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this executable is unknown");
        // Run through the shared host (`dotnet HealthPortal.dll`, as `dotnet run` may too): start the same assembly with it.
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? new ChildCommand(process, [typeof(ConsortiumUp).Assembly.Location])
            : new ChildCommand(process, []);
    }
}

/// <summary>One node of a local consortium as a child process; its console goes to its <c>node.log</c>.</summary>
public sealed class ConsortiumNodeProcess : IDisposable
{
    private readonly Process _process;
    private bool _disposed;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();

    private ConsortiumNodeProcess(ConsortiumNode node, Process process, StreamWriter log)
    {
        Node = node;
        _process = process;
        _log = log;
    }

    public ConsortiumNode Node { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <param name="extra">More environment for the node (the demo settings, a test's proof-of-work bits).</param>
    public static ConsortiumNodeProcess Start(ConsortiumNode node, ChildCommand command, IReadOnlyDictionary<string, string> extra, string environmentName)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Held open and never written: the node reads end-of-file when this process ends (ParentWatch).
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        foreach (var arg in command.Prefix) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(node.DataFolder);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(node.PublicUrl.ToString().TrimEnd('/'));
        // The node's own settings replace anything about the network or the demo organisation this shell inherited.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HealthPortal__Network__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("HealthPortal__Demo__", StringComparison.OrdinalIgnoreCase) || k.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(inherited);
        foreach (var (key, value) in ConsortiumProvisioner.EnvironmentOf(node)) start.Environment[key] = value;
        foreach (var (key, value) in extra) start.Environment[key] = value;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environmentName;
        start.Environment[ParentWatch.Variable] = "1";
        // N servers share the machine: the workstation GC keeps each one's memory small.
        start.Environment.TryAdd("DOTNET_gcServer", "0");
        // node.log interleaves elections, seeding and requests: times make it readable.
        start.Environment.TryAdd("Logging__Console__TimestampFormat", "HH:mm:ss.fff ");

        Directory.CreateDirectory(node.Folder);
        var log = new StreamWriter(new FileStream(node.LogFile, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start the node {node.NodeId}");
        var child = new ConsortiumNodeProcess(node, process, log);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_logLock)
        {
            try { _log.WriteLine(line); }
            catch (ObjectDisposedException) { }
        }
    }

    /// <summary>SIGTERM, as a service manager stops a node (it finishes what it committed and closes its stores).</summary>
    public void Terminate()
    {
        if (_disposed || _process.HasExited) return;
        if (OperatingSystem.IsWindows()) _process.Kill();
        else _ = SendSignal(_process.Id, 15);
    }

    /// <summary>SIGKILL (kill -9): no chance to clean up.</summary>
    public void Kill()
    {
        // After Dispose (StopAll disposes what it stopped) the process is gone: nothing to kill, and asking would throw
        // over whatever failure the caller is cleaning up after.
        if (!_disposed && !_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    /// <summary>True when the node exited before <paramref name="cancellationToken"/> fired.</summary>
    public async Task<bool> WaitForExitAsync(CancellationToken cancellationToken)
    {
        if (_disposed) return true;
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
            _process.WaitForExit(); // drains the redirected output into the log
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _process.Dispose();
        lock (_logLock) _log.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
