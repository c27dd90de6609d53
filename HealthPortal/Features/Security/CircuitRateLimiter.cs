using System.Net;
using System.Threading.RateLimiting;

namespace HealthPortal.Features.Security;

/// <summary>
/// A fixed window per client address for work done on a circuit. Interactive pages act through SignalR messages, not
/// HTTP requests the rate-limiting middleware could see, so such a page asks here before it does the work; the
/// allowance is keyed by <see cref="CircuitClientAddress"/> like the middleware's policies are keyed by the request's.
/// </summary>
public class CircuitRateLimiter(string policy, RateLimitWindow window, string message) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = TimeSpan.FromSeconds(window.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Takes one action from the client's allowance; when none is left, says how long to wait.</summary>
    /// <param name="client">The circuit's remote address; unknown addresses share one allowance.</param>
    public RateLimitDecision TryAcquire(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(policy + ":" + (client ?? IPAddress.None));
        if (lease.IsAcquired) return new(true, TimeSpan.Zero, message);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(window.WindowSeconds);
        return new(false, retryAfter, message);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}

public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter, string Message)
{
    public string Explain() => $"{Message} You can try again in about {Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalMinutes))} minute(s).";
}

/// <summary>
/// <c>HealthPortal:RateLimits:IdentityLookup</c>: circuit actions that look people up by identity (a patient saving a
/// national ID, staff finding a patient by MPI number), so that none can be used to test identities in bulk.
/// </summary>
public sealed class IdentityLookupLimiter(RateLimitWindow window) : CircuitRateLimiter("identity-lookup", window, Message)
{
    public const string Message = "Too many look-ups from your network. Please wait a few minutes and try again.";
}
