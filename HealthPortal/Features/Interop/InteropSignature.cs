using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Interop;

/// <summary>
/// The signed-request scheme of the interop API, version 1. The caller (a facility node) sends
/// <c>HP-Facility</c> (its ledger id), <c>HP-Timestamp</c> (Unix ms), <c>HP-Nonce</c> (16–64 base64url),
/// <c>HP-Staff</c> (pseudonymous staff id), <c>HP-Purpose</c> (a purpose code), optionally <c>HP-Break-Glass</c>
/// (the emergency session id) and <c>HP-Signature</c>: ES256 (P1363, base64url) by the facility's ledger key over
/// the UTF-8 lines of <see cref="SigningBytes"/>. The request target is signed exactly as sent and must be in its
/// one canonical form (no percent-encoding, no dot segments), so no re-encoded variant exists. Replay protection
/// binds the (facility, nonce) pair, never the signature bytes: an ECDSA signature can be malleated into a second
/// valid one, (r, n−s), but not without repeating the nonce.
/// </summary>
public static partial class InteropSignature
{
    public const string Scheme = "HP-INTEROP-SIG-V1";
    public const string FacilityHeader = "HP-Facility";
    public const string TimestampHeader = "HP-Timestamp";
    public const string NonceHeader = "HP-Nonce";
    public const string StaffHeader = "HP-Staff";
    public const string PurposeHeader = "HP-Purpose";
    public const string BreakGlassHeader = "HP-Break-Glass";
    public const string SignatureHeader = "HP-Signature";

    [GeneratedRegex("^[A-Za-z0-9_-]{16,64}$")] public static partial Regex NoncePattern();
    [GeneratedRegex("^[0-9]{1,16}$")] private static partial Regex TimestampPattern();
    [GeneratedRegex(@"^/fhir/r4/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?$")] private static partial Regex TargetPattern();

    /// <summary>The bytes signed: one field per line, in this order; an absent break-glass session is an empty line.</summary>
    public static byte[] SigningBytes(string method, string target, string facility, string timestamp, string nonce, string staff, string purpose, string? breakGlass)
        => Encoding.UTF8.GetBytes(string.Join('\n', Scheme, method.ToUpperInvariant(), target, facility, timestamp, nonce, staff, purpose, breakGlass ?? ""));

    /// <summary>A request target in its canonical form: under /fhir/r4/, no percent-encoding, no empty or dot segments.</summary>
    public static bool IsCanonicalTarget(string target)
    {
        if (!TargetPattern().IsMatch(target)) return false;
        var path = target.Split('?')[0];
        return !path.Contains("//", StringComparison.Ordinal) && path.Split('/').Skip(1).All(segment => segment is not ("." or ".."));
    }

    /// <summary>Signs a GET of <paramref name="target"/> as <paramref name="key"/>'s facility, with a fresh timestamp and nonce.</summary>
    public static InteropRequest Sign(LedgerKeyPair key, string method, string target, string staff, string purpose, string? breakGlass, TimeProvider clock)
    {
        var ts = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var nonce = TransactionFactory.NewNonce() + TransactionFactory.NewNonce();
        var signature = Base64Url.Encode(key.Sign(SigningBytes(method, target, key.Id, ts, nonce, staff, purpose, breakGlass)));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [FacilityHeader] = key.Id, [TimestampHeader] = ts, [NonceHeader] = nonce, [StaffHeader] = staff, [PurposeHeader] = purpose, [SignatureHeader] = signature,
        };
        if (breakGlass is not null) headers[BreakGlassHeader] = breakGlass;
        return new InteropRequest(method.ToUpperInvariant(), target, headers);
    }

    internal static bool TryParseTimestamp(string? text, out long ms)
    {
        ms = 0;
        return text is not null && TimestampPattern().IsMatch(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ms);
    }
}

/// <summary>
/// Nonces seen within the freshness window, per facility. A request is fresh only within the window, so a nonce
/// need only be remembered that long after its timestamp; entries are swept as the map grows.
/// </summary>
public sealed class InteropNonceCache(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _lastSweep;

    /// <summary>True the first time (facility, nonce) is used; keeps it until <paramref name="forgetAfterMs"/>.</summary>
    public bool TryUse(string facility, string nonce, long forgetAfterMs)
    {
        Sweep();
        return _seen.TryAdd(facility + "\n" + nonce, forgetAfterMs);
    }

    public int Count => _seen.Count;

    private void Sweep()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last < 10_000 || Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return;
        foreach (var (key, until) in _seen)
            if (until < now) _seen.TryRemove(key, out _);
    }
}

/// <summary>An interop request as the handler sees it, whether it came over HTTP or from this process.</summary>
public sealed record InteropRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string BaseUrl = "https://localhost/fhir/r4")
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The handler's answer: a status and a FHIR resource (an OperationOutcome on every error), plus headers.</summary>
public sealed record InteropResponse(int Status, Hl7.Fhir.Model.Resource Resource, IReadOnlyDictionary<string, string>? Headers = null);
