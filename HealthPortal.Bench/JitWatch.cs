using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace HealthPortal.Bench;

/// <summary>
/// Which methods the runtime compiles while a stage runs, from the runtime's own JIT events in this process
/// (dotnet-trace is not installed here). A steady share of CPU on the tiered-compilation thread that does not fall as a
/// run goes on means code keeps being generated; this names it.
/// </summary>
internal sealed class JitWatch : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const int MethodLoadVerbose = 143;
    private readonly ConcurrentDictionary<string, int> methods = new(StringComparer.Ordinal);
    private volatile bool counting;

    /// <summary>Methods compiled while counting, by "namespace.method [tier]".</summary>
    public IReadOnlyDictionary<string, int> Methods => methods;

    public void Start() => counting = true;

    public void Stop() => counting = false;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, JitKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!counting || e.EventId != MethodLoadVerbose || e.Payload is null || e.PayloadNames is null) return;
        string Field(string name) => e.PayloadNames.IndexOf(name) is var i and >= 0 ? e.Payload[i]?.ToString() ?? "" : "";
        // MethodFlags: bit 0 = dynamic (LCG, e.g. a compiled expression), bits 7-9 = the optimization tier, numbered as
        // the runtime's ETW::MethodLog::OptimizationTier (eventtrace.cpp).
        var flags = e.PayloadNames.IndexOf("MethodFlags") is var f and >= 0 ? Convert.ToInt64(e.Payload[f]) : 0;
        var tier = ((flags >> 7) & 7) switch
        {
            1 => "minopts", 2 => "optimized", 3 => "tier0", 4 => "tier1", 5 => "tier1-osr", 6 => "tier0-instrumented", 7 => "tier1-instrumented", _ => "unknown",
        };
        if ((flags & 1) != 0) tier = "dynamic " + tier;
        var key = $"{Field("MethodNamespace")}.{Field("MethodName")} [{tier}]";
        methods.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    /// <summary>The <paramref name="top"/> most compiled, and the totals by tier.</summary>
    public IEnumerable<string> Report(int top)
    {
        yield return $"methods compiled while counting: {methods.Values.Sum():N0} ({methods.Count:N0} distinct)";
        foreach (var tier in methods.GroupBy(m => m.Key[(m.Key.LastIndexOf('[') + 1)..^1]).OrderByDescending(g => g.Sum(m => m.Value)))
            yield return $"  tier {tier.Key}: {tier.Sum(m => m.Value):N0}";
        foreach (var area in methods.GroupBy(m => string.Join('.', m.Key.Split('.').Take(3))).OrderByDescending(g => g.Sum(m => m.Value)).Take(top))
            yield return $"  {area.Sum(m => m.Value),6:N0}  {area.Key}…";
        foreach (var (name, count) in methods.OrderByDescending(m => m.Value).Take(top))
            yield return $"  {count,6:N0}  {name}";
    }
}
