using System.Net;
using System.Threading.RateLimiting;
using HealthPortal.Features.Security;

namespace HealthPortal.Features.Network;

/// <summary>
/// The <see cref="RateLimitPolicies.NodeRegistration"/> window (<c>HealthPortal:RateLimits:NodeRegistration</c>),
/// applied to join submissions made on a circuit. The join page is interactive (it streams the proof-of-work
/// progress), so its submissions are SignalR messages, not HTTP requests the rate-limiting middleware could see;
/// the page asks here, per client address, before it drafts an application. The browser's proof of work makes each
/// application cost the applicant; this window also caps how many permanent ledger entries one network can make.
/// </summary>
public sealed class NodeRegistrationLimiter(RateLimitWindow window) : IDisposable
{
    public const string Message = "Too many registrations from your network. Please wait a few minutes and try again.";

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = TimeSpan.FromSeconds(window.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Takes one submission from the client's allowance; when none is left, says how long to wait.</summary>
    /// <param name="client">The circuit's remote address; unknown addresses share one allowance.</param>
    public RateLimitDecision TryAcquire(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(RateLimitPolicies.NodeRegistration + ":" + (client ?? IPAddress.None));
        if (lease.IsAcquired) return new(true, TimeSpan.Zero);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(window.WindowSeconds);
        return new(false, retryAfter);
    }

    public void Dispose() => _limiter.Dispose();
}

public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public string Explain() => $"{NodeRegistrationLimiter.Message} You can try again in about {Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalMinutes))} minute(s).";
}
