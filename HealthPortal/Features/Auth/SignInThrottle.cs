using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Caching.Memory;

namespace HealthPortal.Features.Auth;

/// <summary><c>HealthPortal:SignInThrottle</c>: how failed sign-ins slow down further guesses.</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "HealthPortal:SignInThrottle";

    /// <summary>Wrong passwords (or codes) for one account from one network before that pair is blocked.</summary>
    public int FailuresPerSource { get; set; } = 5;

    /// <summary>The first block of a pair; each further failure doubles it, up to <see cref="LongestBlock"/>.</summary>
    public TimeSpan FirstBlock { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan LongestBlock { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures for one account from all networks together, within <see cref="Window"/>, before every
    /// attempt on it waits (never a block: that would hand anyone a way to lock the owner out).</summary>
    public int AccountCeiling { get; set; } = 50;

    public TimeSpan LongestDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failures older than this (since the last one) are forgotten.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>What a sign-in attempt must do first: nothing, wait <see cref="Delay"/>, or stop for <see cref="BlockedFor"/>.</summary>
public readonly record struct SignInGate(TimeSpan BlockedFor, TimeSpan Delay)
{
    public bool Blocked => BlockedFor > TimeSpan.Zero;

    public string Explain() =>
        $"Too many failed sign-ins to this account from your network. Try again in about {Math.Max(1, (int)Math.Ceiling(BlockedFor.TotalMinutes))} minute(s), or reset your password.";
}

/// <summary>
/// Throttles password and second-factor guessing per account <em>and</em> source, replacing Identity's lockout
/// (five failures from anywhere locked the account for everyone, so anyone could lock anyone out):
/// <list type="bullet">
/// <item>a (account, client network) pair is blocked after <see cref="SignInThrottleOptions.FailuresPerSource"/>
/// failures, for a time that doubles with each further failure: the guesser is stopped, the owner elsewhere is not;</item>
/// <item>across all networks an account that passes <see cref="SignInThrottleOptions.AccountCeiling"/> failures makes
/// every attempt on it wait a growing delay, which slows a distributed guesser and still lets the owner in.</item>
/// </list>
/// The same happens for addresses that have no account, so the throttle tells nothing about who is registered.
/// Counts live in memory (bounded): a restart forgets them, which costs an attacker's progress nothing it had.
/// An administrator's "disable account" is Identity's lockout end date and stays as it is.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock, SignInThrottleOptions options) : IDisposable
{
    private readonly MemoryCache _counts = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    public SignInThrottleOptions Options => options;

    /// <summary>Call before checking the password or code.</summary>
    public SignInGate Check(string account, IPAddress? source)
    {
        var now = clock.GetUtcNow();
        var blocked = TimeSpan.Zero;
        if (_counts.TryGetValue(PairKey(account, source), out Counter? pair))
        {
            lock (pair!) blocked = pair.BlockedUntil > now ? pair.BlockedUntil - now : TimeSpan.Zero;
        }

        var delay = TimeSpan.Zero;
        if (_counts.TryGetValue(AccountKey(account), out Counter? total))
        {
            lock (total!)
            {
                var failures = now - total.LastFailure > options.Window ? 0 : total.Failures;
                if (failures >= options.AccountCeiling)
                {
                    // 1 s at the ceiling, doubling every ten further failures, up to the longest delay.
                    var ms = 1000 * Math.Pow(2, (failures - options.AccountCeiling) / 10.0);
                    delay = TimeSpan.FromMilliseconds(Math.Min(ms, options.LongestDelay.TotalMilliseconds));
                }
            }
        }
        return new SignInGate(blocked, delay);
    }

    /// <summary>Waits out the gate's delay (on the server, so the attempt still gets its answer).</summary>
    public Task WaitAsync(SignInGate gate, CancellationToken cancellationToken = default) =>
        gate.Delay > TimeSpan.Zero ? Task.Delay(gate.Delay, clock, cancellationToken) : Task.CompletedTask;

    public void RecordFailure(string account, IPAddress? source)
    {
        var now = clock.GetUtcNow();
        var pair = CounterOf(PairKey(account, source));
        lock (pair)
        {
            if (now - pair.LastFailure > options.Window) pair.Failures = 0;
            pair.Failures++;
            pair.LastFailure = now;
            if (pair.Failures >= options.FailuresPerSource)
            {
                var doublings = Math.Min(pair.Failures - options.FailuresPerSource, 20);
                var block = TimeSpan.FromTicks(Math.Min(options.FirstBlock.Ticks << doublings, options.LongestBlock.Ticks));
                pair.BlockedUntil = now + block;
            }
        }

        var total = CounterOf(AccountKey(account));
        lock (total)
        {
            if (now - total.LastFailure > options.Window) total.Failures = 0;
            total.Failures++;
            total.LastFailure = now;
        }
    }

    /// <summary>A correct password (or code) from this source clears that pair; the account-wide count stays, since
    /// others may still be guessing.</summary>
    public void RecordSuccess(string account, IPAddress? source) => _counts.Remove(PairKey(account, source));

    public void Dispose() => _counts.Dispose();

    private Counter CounterOf(string key) => _counts.GetOrCreate(key, entry =>
    {
        entry.Size = 1;
        entry.SlidingExpiration = options.Window + options.LongestBlock;
        return new Counter();
    })!;

    private static string AccountKey(string account) => "account:" + account.Trim().ToUpperInvariant();

    private static string PairKey(string account, IPAddress? source) => "pair:" + Network(source) + ":" + account.Trim().ToUpperInvariant();

    /// <summary>IPv4 addresses as they are; IPv6 by their /64, which one subscriber usually holds whole.</summary>
    private static string Network(IPAddress? source)
    {
        if (source is null) return "unknown";
        if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
        if (source.AddressFamily != AddressFamily.InterNetworkV6) return source.ToString();
        var bytes = source.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private sealed class Counter
    {
        public int Failures;
        public DateTimeOffset LastFailure = DateTimeOffset.MinValue;
        public DateTimeOffset BlockedUntil = DateTimeOffset.MinValue;
    }
}
