using System.Runtime.ExceptionServices;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// Notices whether the running test has thrown, so its <c>DisposeAsync</c> can save screenshots before the
/// browser context closes (xunit 2 tells a test class nothing about its own outcome).
/// </summary>
/// <remarks>
/// Every exception raised in the test's async flow is seen as a first-chance exception while the probe is current:
/// assertion failures, Playwright timeouts and anything rethrown at an <c>await</c>. The probe becomes current in
/// the test class constructor, which xunit 2.9 runs in the same async flow as the test method, and it ignores the
/// server's and the Playwright connection's threads, which run in flows of their own. A caught exception inside
/// the test also counts: that only costs an extra set of artifacts, so harness code keeps exceptions out of its
/// normal paths.
/// </remarks>
internal sealed class FailureProbe
{
    private static readonly AsyncLocal<FailureProbe?> current = new();
    private Exception? first;

    static FailureProbe() => AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;

    /// <summary>The first exception the test threw, if any.</summary>
    public Exception? FirstException => Volatile.Read(ref first);

    /// <summary>Makes a new probe current for the calling async flow and everything it awaits.</summary>
    public static FailureProbe Start()
    {
        var probe = new FailureProbe();
        current.Value = probe;
        return probe;
    }

    /// <summary>Forgets what was seen; for the harness's own test of the probe.</summary>
    public void Reset() => Volatile.Write(ref first, null);

    private static void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (current.Value is { } probe)
            Interlocked.CompareExchange(ref probe.first, e.Exception, null);
    }
}
