namespace HealthPortal.Tests.Support;

/// <summary>
/// A clock that stands still until a test moves it, so timestamps, block times and grant windows can be placed to
/// the millisecond. (Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider is not in the offline feed.)
/// Only <see cref="GetUtcNow"/> is faked: the engine takes no timers from its clock.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _unixMs = start.ToUnixTimeMilliseconds();

    public ManualClock() : this(DateTimeOffset.UtcNow) { }

    /// <summary>Now, in Unix milliseconds.</summary>
    public long UnixMs
    {
        get => Interlocked.Read(ref _unixMs);
        set => Interlocked.Exchange(ref _unixMs, value);
    }

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(UnixMs);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _unixMs, (long)by.TotalMilliseconds);
}
