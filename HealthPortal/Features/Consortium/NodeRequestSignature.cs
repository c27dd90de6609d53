using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// The signed-request scheme of the node API (<c>/node/v1/…</c>), version 1: how one consortium node asks another for
/// something that is not FHIR interop — a patient's own record for their timeline, a pending co-signature, where a
/// patient's account lives. The calling node sends <c>HP-Node</c> (the ledger id of its node key), <c>HP-Timestamp</c>
/// (Unix ms), <c>HP-Nonce</c> (16–64 base64url), <c>HP-Body-SHA256</c> (base64url SHA-256 of the request body, of no
/// bytes for a GET), optionally <c>HP-Patient</c> (the MPI number of the patient signed in at the calling node, for
/// whom it asks) and <c>HP-Signature</c>: ES256 (P1363, base64url) by that key over the lines of
/// <see cref="SigningBytes"/>. It is a scheme of its own, not <c>HP-INTEROP-SIG-V1</c>, so that a node-API signature
/// can never be replayed as a FHIR read or the other way round.
/// </summary>
public static partial class NodeRequestSignature
{
    public const string Scheme = "HP-NODE-SIG-V1";
    public const string NodeHeader = "HP-Node";
    public const string TimestampHeader = "HP-Timestamp";
    public const string NonceHeader = "HP-Nonce";
    public const string BodyHashHeader = "HP-Body-SHA256";
    public const string PatientHeader = "HP-Patient";
    public const string SignatureHeader = "HP-Signature";

    /// <summary>Every header of the scheme (what a transport copies and an endpoint reads).</summary>
    public static readonly string[] Headers = [NodeHeader, TimestampHeader, NonceHeader, BodyHashHeader, PatientHeader, SignatureHeader];

    [GeneratedRegex("^[A-Za-z0-9_-]{16,64}$")] internal static partial Regex NoncePattern();
    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")] internal static partial Regex IdPattern();
    [GeneratedRegex("^[0-9]{1,16}$")] private static partial Regex TimestampPattern();
    [GeneratedRegex("^[A-Za-z0-9-]{1,40}$")] private static partial Regex PatientPattern();
    [GeneratedRegex(@"^/node/v1/[A-Za-z0-9\-._~/]*$")] private static partial Regex TargetPattern();

    public static byte[] SigningBytes(string method, string target, string node, string timestamp, string nonce, string bodyHash, string? patient)
        => Encoding.UTF8.GetBytes(string.Join('\n', Scheme, method.ToUpperInvariant(), target, node, timestamp, nonce, bodyHash, patient ?? ""));

    public static string BodyHash(ReadOnlySpan<byte> body) => Base64Url.Encode(SHA256.HashData(body));

    /// <summary>A target in its one canonical form: under /node/v1/, unreserved characters only, no dot or empty segments, no query.</summary>
    public static bool IsCanonicalTarget(string target) =>
        TargetPattern().IsMatch(target) && !target.Contains("//", StringComparison.Ordinal)
        && target.Split('/').Skip(1).All(segment => segment is not ("." or ".."));

    /// <summary>The headers of a request of <paramref name="key"/>'s node, signed now with a fresh nonce.</summary>
    public static Dictionary<string, string> Sign(LedgerKeyPair key, string method, string target, ReadOnlySpan<byte> body, string? patient, TimeProvider clock)
    {
        var ts = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var nonce = TransactionFactory.NewNonce() + TransactionFactory.NewNonce();
        var bodyHash = BodyHash(body);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [NodeHeader] = key.Id, [TimestampHeader] = ts, [NonceHeader] = nonce, [BodyHashHeader] = bodyHash,
            [SignatureHeader] = Base64Url.Encode(key.Sign(SigningBytes(method, target, key.Id, ts, nonce, bodyHash, patient))),
        };
        if (patient is not null) headers[PatientHeader] = patient;
        return headers;
    }

    internal static bool IsWellFormed(string? node, string? ts, string? nonce, string? bodyHash, string? patient, out long timestamp)
    {
        timestamp = 0;
        return node is not null && IdPattern().IsMatch(node) && nonce is not null && NoncePattern().IsMatch(nonce)
            && bodyHash is not null && IdPattern().IsMatch(bodyHash) && (patient is null || PatientPattern().IsMatch(patient))
            && ts is not null && TimestampPattern().IsMatch(ts) && long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp);
    }
}

/// <summary>Who called the node API: an approved facility node (its ledger id) and the patient it vouches for, if any.</summary>
public sealed record NodeCaller(string Node, string? Patient);

/// <summary>Why a node-API request was refused: 401 (not authenticated) or 403 (authenticated, not approved).</summary>
public sealed record NodeRefusal(int Status, string Reason);

/// <summary>
/// Checks a node-API request against <b>this node's replica</b>: the signing key must be a facility node on the
/// ledger here, approved now (a revoked node is refused as soon as its <c>node.revoke</c> has committed locally), the
/// signature must cover exactly this method, target and body, the timestamp must be fresh and the nonce unused.
/// Nothing else is trusted about the caller; what it may then ask is each endpoint's decision.
/// </summary>
public sealed class NodeRequestAuthenticator(Func<LedgerReader> reader, TimeProvider clock)
{
    /// <summary>How far a caller's clock may be from ours; a nonce is remembered twice as long.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, long> _nonces = new(StringComparer.Ordinal);
    private readonly PublicKeyCache _keys = new(10_000);
    private long _lastSweep;

    public (NodeCaller? Caller, NodeRefusal? Refusal) Authenticate(string method, string target, Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        var node = header(NodeRequestSignature.NodeHeader);
        var ts = header(NodeRequestSignature.TimestampHeader);
        var nonce = header(NodeRequestSignature.NonceHeader);
        var bodyHash = header(NodeRequestSignature.BodyHashHeader);
        var patient = header(NodeRequestSignature.PatientHeader);
        var signatureText = header(NodeRequestSignature.SignatureHeader);
        if (node is null || signatureText is null) return Refuse(401, $"unsigned request: {NodeRequestSignature.Scheme} headers are required");
        if (!NodeRequestSignature.IsWellFormed(node, ts, nonce, bodyHash, patient, out var timestamp))
            return Refuse(401, "malformed signature headers");
        if (!NodeRequestSignature.IsCanonicalTarget(target)) return Refuse(401, "the request target is not in canonical form");
        if (bodyHash != NodeRequestSignature.BodyHash(body)) return Refuse(401, "the body is not the one that was signed");
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(now - timestamp) > (long)Skew.TotalMilliseconds) return Refuse(401, "stale or future timestamp");

        var entry = reader().Node(node);
        if (entry is null) return Refuse(401, "unknown key: no facility node with this id is on this node's ledger");
        if (!Base64Url.TryDecode(signatureText, out var signature) || signature.Length != Es256.SignatureLength
            || !_keys.Verify(entry.Key, NodeRequestSignature.SigningBytes(method, target, node, ts!, nonce!, bodyHash, patient), signature))
            return Refuse(401, "bad signature");
        // Only after the signature checks, so that nobody but the key holder can fill the map.
        Sweep(now);
        if (!_nonces.TryAdd(node + "\n" + nonce, timestamp + 2 * (long)Skew.TotalMilliseconds)) return Refuse(401, "replayed request: this nonce was already used");
        if (entry.Status != NodeStatus.Approved) return Refuse(403, $"the node is {entry.Status.ToString().ToLowerInvariant()} on the ledger");
        return (new NodeCaller(node, patient), null);
    }

    private static (NodeCaller?, NodeRefusal?) Refuse(int status, string reason) => (null, new NodeRefusal(status, reason));

    private void Sweep(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last < 10_000 || Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return;
        foreach (var (key, until) in _nonces)
            if (until < now) _nonces.TryRemove(key, out _);
    }
}
