using System.Globalization;

namespace HealthPortal.Bench;

/// <summary>
/// CPU time of this process's threads grouped by what they do, read from /proc/self/task/*/stat (Linux; elsewhere
/// empty). A profile that other tenants of the machine cannot skew: it counts CPU, not wall-clock time.
/// </summary>
internal static class ThreadCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Seconds of CPU (user + system) per thread group since each thread started.</summary>
    public static Dictionary<string, double> Snapshot() => Snapshot(Group);

    /// <summary>As <see cref="Snapshot()"/>, grouped by each thread's own name (to see which "other" thread it was).</summary>
    public static Dictionary<string, double> SnapshotByName() => Snapshot(name => name);

    /// <summary>
    /// Seconds of CPU of a whole process (/proc/PID/stat), threads that have exited included: a per-thread sum loses an
    /// exited thread's time (thread-pool threads retire when idle), so differences of it can even come out negative.
    /// </summary>
    public static double ProcessSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    /// <summary>As <see cref="Snapshot()"/> for another process (the portal server the benchmark started), grouped by <paramref name="groupOf"/>.</summary>
    public static Dictionary<string, double> SnapshotOf(int pid, Func<string, string> groupOf) =>
        Snapshot(groupOf, "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/task");

    private static Dictionary<string, double> Snapshot(Func<string, string> groupOf, string folder = "/proc/self/task")
    {
        var groups = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux()) return groups;
        string[] tasks;
        try { tasks = Directory.GetDirectories(folder); }
        catch (IOException) { return groups; }
        foreach (var task in tasks)
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                // fields[0] is state (field 3); utime is field 14, stime field 15 → indexes 11 and 12.
                var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                var group = groupOf(name);
                groups[group] = groups.GetValueOrDefault(group) + seconds;
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentOutOfRangeException or UnauthorizedAccessException)
            {
                // the thread ended while we looked
            }
        }
        return groups;
    }

    /// <summary>
    /// CPU time of the calling thread in nanoseconds (CLOCK_THREAD_CPUTIME_ID; 0 off Linux). Unlike /proc, which counts
    /// in 10 ms ticks, this resolves the microseconds a single hash or signature takes.
    /// </summary>
    public static long CurrentThreadNanoseconds()
        => OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;

    private const int ClockThreadCpuTimeId = 3;

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    public static Dictionary<string, double> Difference(Dictionary<string, double> after, Dictionary<string, double> before)
        => after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key), StringComparer.Ordinal);

    private static string Group(string name) => name switch
    {
        _ when name.StartsWith("ledger-seq", StringComparison.Ordinal) => "sequencer",
        _ when name.StartsWith("ledger-commit", StringComparison.Ordinal) => "committer",
        _ when name.StartsWith(".NET TP Worker", StringComparison.Ordinal) => "thread pool (parse, verify, submit)",
        _ when name.Contains("GC", StringComparison.Ordinal) => "GC",
        _ when name.StartsWith("verify-", StringComparison.Ordinal) => "verify threads",
        _ => "other",
    };
}
