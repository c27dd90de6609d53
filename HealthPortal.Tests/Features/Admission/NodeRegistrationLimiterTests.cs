using System.Net;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Security;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Tests.Features.Admission;

public sealed class NodeRegistrationLimiterTests
{
    private static NodeRegistrationLimiter Limiter(int permits) => new(new RateLimitWindow { PermitLimit = permits, WindowSeconds = 300 });

    [Fact]
    public void TryAcquire_AfterTheLimit_RefusesWithAWaitAndAClearMessage()
    {
        using var limiter = Limiter(2);
        var client = IPAddress.Parse("203.0.113.7");

        Assert.True(limiter.TryAcquire(client).Allowed);
        Assert.True(limiter.TryAcquire(client).Allowed);
        var refused = limiter.TryAcquire(client);

        Assert.False(refused.Allowed);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        Assert.StartsWith(NodeRegistrationLimiter.Message, refused.Explain());
        Assert.Contains("minute", refused.Explain());
    }

    [Fact]
    public void TryAcquire_CountsEachClientAddressSeparately()
    {
        using var limiter = Limiter(1);

        Assert.True(limiter.TryAcquire(IPAddress.Parse("203.0.113.7")).Allowed);
        Assert.False(limiter.TryAcquire(IPAddress.Parse("203.0.113.7")).Allowed);
        Assert.True(limiter.TryAcquire(IPAddress.Parse("198.51.100.1")).Allowed);
    }

    [Fact]
    public void TryAcquire_UnknownAddresses_ShareOneAllowance()
    {
        using var limiter = Limiter(1);

        Assert.True(limiter.TryAcquire(null).Allowed);
        Assert.False(limiter.TryAcquire(null).Allowed);
    }
}
