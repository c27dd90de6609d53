using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Auth;

public sealed class SignInThrottleTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("203.0.113.1");
    private static readonly IPAddress Owner = IPAddress.Parse("198.51.100.1");

    private readonly ManualClock clock = new(DateTimeOffset.Parse("2026-12-05T08:00:00Z"));
    private readonly SignInThrottle throttle;

    public SignInThrottleTests() => throttle = new SignInThrottle(clock, new SignInThrottleOptions());

    private void Fail(int times, IPAddress from, string account = "aye@example.test")
    {
        for (var i = 0; i < times; i++) throttle.RecordFailure(account, from);
    }

    [Fact]
    public void FourFailures_DoNotBlock()
    {
        Fail(4, Guesser);
        Assert.False(throttle.Check("aye@example.test", Guesser).Blocked);
    }

    [Fact]
    public void FifthFailure_BlocksThatPairForAMinute_NotOtherNetworks()
    {
        Fail(5, Guesser);

        var gate = throttle.Check("AYE@example.test", Guesser);
        Assert.True(gate.Blocked);
        Assert.Equal(TimeSpan.FromMinutes(1), gate.BlockedFor);
        Assert.False(throttle.Check("aye@example.test", Owner).Blocked);
        Assert.Equal(TimeSpan.Zero, throttle.Check("aye@example.test", Owner).Delay);
    }

    [Fact]
    public void FurtherFailures_DoubleTheBlock_UpToFifteenMinutes()
    {
        Fail(7, Guesser);
        Assert.Equal(TimeSpan.FromMinutes(4), throttle.Check("aye@example.test", Guesser).BlockedFor);

        Fail(10, Guesser);
        Assert.Equal(TimeSpan.FromMinutes(15), throttle.Check("aye@example.test", Guesser).BlockedFor);
    }

    [Fact]
    public void Block_EndsByItself()
    {
        Fail(5, Guesser);
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(throttle.Check("aye@example.test", Guesser).Blocked);
    }

    [Fact]
    public void Success_ClearsThePair()
    {
        Fail(5, Guesser);
        throttle.RecordSuccess("aye@example.test", Guesser);
        Assert.False(throttle.Check("aye@example.test", Guesser).Blocked);
    }

    [Fact]
    public void ManyNetworksTogether_PastTheCeiling_DelayEveryoneButBlockNobody()
    {
        for (var network = 0; network < 60; network++) Fail(1, IPAddress.Parse($"192.0.2.{network}"));

        var owner = throttle.Check("aye@example.test", Owner);
        Assert.False(owner.Blocked);
        Assert.InRange(owner.Delay, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void AccountCount_IsForgottenAfterTheWindow()
    {
        for (var network = 0; network < 60; network++) Fail(1, IPAddress.Parse($"192.0.2.{network}"));
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(TimeSpan.Zero, throttle.Check("aye@example.test", Owner).Delay);
    }

    [Fact]
    public void Ipv6_CountsPerSlash64()
    {
        Fail(5, IPAddress.Parse("2001:db8:1:2::1"));
        Assert.True(throttle.Check("aye@example.test", IPAddress.Parse("2001:db8:1:2::ffff")).Blocked);
        Assert.False(throttle.Check("aye@example.test", IPAddress.Parse("2001:db8:1:3::1")).Blocked);
    }
}
