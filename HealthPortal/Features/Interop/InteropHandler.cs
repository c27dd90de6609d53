using HealthPortal.Features.BreakGlass;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Hl7.Fhir.Model;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using HealthPortal.Features.Security;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.Options;
using IssueType = Hl7.Fhir.Model.OperationOutcome.IssueType;

namespace HealthPortal.Features.Interop;

/// <summary>
/// The interop API's one handler: authenticates the signed request (<see cref="InteropSignature"/>), limits each
/// facility's rate, routes <c>metadata</c>, <c>Patient/{mpi}/$everything</c> and <c>{type}/{id}</c>, and answers
/// through <see cref="InteropReader"/>. The HTTP endpoint and the in-process client both call
/// <see cref="HandleAsync"/>, so the portal's own cross-facility reads take exactly this path. Every failure is an
/// OperationOutcome: 401 unauthenticated, 403 not allowed, 404 unknown, 422 malformed, 429 too many, 503 not logged.
/// </summary>
public sealed class InteropHandler : IDisposable
{
    private readonly LedgerHost _ledger;
    private readonly InteropReader _reader;
    private readonly InteropNonceCache _nonces;
    private readonly TimeProvider _clock;
    private readonly ILogger<InteropHandler> _logger;
    private readonly long _skewMs;
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly PublicKeyCache _publicKeys = new(10_000);

    public InteropHandler(LedgerHost ledger, InteropReader reader, InteropNonceCache nonces, IOptions<InteropOptions> options,
        IOptions<RateLimitOptions> limits, TimeProvider clock, ILogger<InteropHandler> logger)
    {
        (_ledger, _reader, _nonces, _clock, _logger) = (ledger, reader, nonces, clock, logger);
        _skewMs = Math.Max(1, options.Value.RequestSkewSeconds) * 1000L;
        var window = limits.Value.Interop;
        _limiter = PartitionedRateLimiter.Create<string, string>(facility => RateLimitPartition.GetFixedWindowLimiter(facility, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, window.PermitLimit), Window = TimeSpan.FromSeconds(Math.Max(1, window.WindowSeconds)), QueueLimit = 0, AutoReplenishment = true,
        }));
    }

    public async Task<InteropResponse> HandleAsync(InteropRequest request, CancellationToken ct = default)
    {
        if (request.Method != "GET") return InteropFhir.Error(405, IssueType.NotSupported, "the interop API is read-only: GET only");
        var segments = RouteOf(request.Target);
        if (segments is ["metadata"]) return new InteropResponse(200, InteropFhir.Capability(request.BaseUrl));

        var (caller, refusal) = Authenticate(request);
        if (refusal is not null) return refusal;

        using var lease = _limiter.AttemptAcquire(caller!.Facility);
        if (!lease.IsAcquired)
        {
            var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
            return Refuse(request, 429, IssueType.Throttled, $"too many requests from this facility; retry after {retry} seconds",
                new Dictionary<string, string> { ["Retry-After"] = retry.ToString(CultureInfo.InvariantCulture) });
        }

        switch (segments)
        {
            case ["Patient", var mpiText, "$everything"]:
                if (!MpiNumber.TryParse(mpiText, out var mpi, out var mpiError)) return Refuse(request, 422, IssueType.Value, "malformed MPI number: " + mpiError);
                return ToResponse(await _reader.EverythingAsync(caller, mpi, ct), read => new InteropResponse(200, InteropFhir.Everything(read, request.BaseUrl)));

            case [var type, var id] when type != "Patient" && type != "metadata":
                if (!ModelInfo.IsKnownResource(type)) return Refuse(request, 404, IssueType.NotSupported, $"unknown resource type '{type}'");
                if (!InteropFhir.TryAnchorTxId(id, out _)) return Refuse(request, 422, IssueType.Value, "malformed record id: an interop id is a record's anchor id (43 characters)");
                var anchor = InteropFhir.AnchorOf(_ledger.Reader, id);
                if (anchor is null || InteropFhir.ResourceTypeOf(anchor) != type) return Refuse(request, 404, IssueType.NotFound, $"no {type} with id {id} is anchored on the ledger");
                return ToResponse(await _reader.RecordAsync(caller, anchor.Facility, anchor.RecordId, ct), Single);

            case ["Patient", _]:
                return Refuse(request, 404, IssueType.NotSupported, "patients are read through Patient/{mpi}/$everything");

            default:
                return Refuse(request, 404, IssueType.NotFound, "no such interop resource");
        }
    }

    private static InteropResponse Single(InteropRead read)
    {
        var record = read.Records.Single();
        var headers = new Dictionary<string, string> { [InteropFhir.IntegrityHeader] = record.Verified.Integrity.ToString().ToLowerInvariant() };
        headers[InteropFhir.BasisHeader] = InteropFhir.BasisCode(record.Basis);
        if (record.AccessTx is not null) headers[InteropFhir.AccessLogHeader] = record.AccessTx;
        return record.Verified.Integrity switch
        {
            RecordIntegrity.Verified => new InteropResponse(200, record.Verified.Record!.Fhir, headers),
            RecordIntegrity.Unavailable => InteropFhir.Error(503, IssueType.Transient, "the facility holding this record cannot be reached: " + record.Verified.Problem, headers),
            _ => InteropFhir.Error(409, IssueType.Conflict, "the record no longer matches the hash anchored on the ledger: " + record.Verified.Problem, headers),
        };
    }

    private InteropResponse ToResponse(InteropRead read, Func<InteropRead, InteropResponse> ok) => read.Status switch
    {
        InteropReadStatus.Ok => ok(read),
        InteropReadStatus.Invalid => InteropFhir.Error(422, IssueType.Invalid, read.Message!),
        InteropReadStatus.UnknownFacility => InteropFhir.Error(401, IssueType.Security, read.Message!),
        InteropReadStatus.FacilityNotApproved => InteropFhir.Error(403, IssueType.Forbidden, read.Message!),
        InteropReadStatus.UnknownPatient or InteropReadStatus.UnknownRecord => InteropFhir.Error(404, IssueType.NotFound, read.Message!),
        InteropReadStatus.NoBasis => InteropFhir.Error(403, IssueType.Forbidden, read.Message!),
        InteropReadStatus.AccessLogUnsigned => InteropFhir.Error(428, IssueType.Security, read.Message!,
            new Dictionary<string, string> { [AccessLogDrafts.DraftHeader] = AccessLogDrafts.Encode(read.AccessLogsToSign!) }),
        _ => InteropFhir.Error(503, IssueType.Transient, read.Message!),
    };

    /// <summary>Checks the signature headers; a caller, or the 401/403 to answer with.</summary>
    private (InteropCaller?, InteropResponse?) Authenticate(InteropRequest request)
    {
        var facility = request.Header(InteropSignature.FacilityHeader);
        var tsText = request.Header(InteropSignature.TimestampHeader);
        var nonce = request.Header(InteropSignature.NonceHeader);
        var staff = request.Header(InteropSignature.StaffHeader);
        var purpose = request.Header(InteropSignature.PurposeHeader);
        var breakGlass = request.Header(InteropSignature.BreakGlassHeader);
        var signatureText = request.Header(InteropSignature.SignatureHeader);
        if (facility is null || tsText is null || nonce is null || staff is null || purpose is null || signatureText is null)
            return (null, Refuse(request, 401, IssueType.Login, $"unsigned request: {InteropSignature.Scheme} headers are required"));
        if (!InteropReader.IdPattern().IsMatch(facility) || !InteropSignature.NoncePattern().IsMatch(nonce) || !InteropReader.StaffPattern().IsMatch(staff)
            || !InteropReader.PurposePattern().IsMatch(purpose) || (breakGlass is not null && !InteropReader.SessionPattern().IsMatch(breakGlass))
            || !InteropSignature.TryParseTimestamp(tsText, out var ts))
            return (null, Refuse(request, 401, IssueType.Security, "malformed signature headers"));
        if (!InteropSignature.IsCanonicalTarget(request.Target))
            return (null, Refuse(request, 401, IssueType.Security, "the request target is not in canonical form (no percent-encoding or dot segments)"));
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(now - ts) > _skewMs) return (null, Refuse(request, 401, IssueType.Security, "stale or future timestamp"));

        var node = _ledger.Reader.Node(facility);
        if (node is null) return (null, Refuse(request, 401, IssueType.Security, "unknown key: no facility with this id is on the ledger"));
        if (!Base64Url.TryDecode(signatureText, out var signature) || signature.Length != Es256.SignatureLength
            || !_publicKeys.Verify(node.Key, InteropSignature.SigningBytes(request.Method, request.Target, facility, tsText, nonce, staff, purpose, breakGlass), signature))
            return (null, Refuse(request, 401, IssueType.Security, "bad signature"));
        // Only after the signature checks, so that nobody but the key holder can fill the cache.
        if (!_nonces.TryUse(facility, nonce, ts + 2 * _skewMs)) return (null, Refuse(request, 401, IssueType.Security, "replayed request: this nonce was already used"));
        if (node.Status != NodeStatus.Approved)
            return (null, Refuse(request, 403, IssueType.Forbidden, $"the facility is {node.Status.ToString().ToLowerInvariant()} on the ledger"));
        // Access logs a caller on another node signed for this read (second round of AccessLogDrafts); checked by the reader.
        IReadOnlyList<HealthPortal.Ledger.Transactions.Transaction>? signedLogs = null;
        if (request.Header(AccessLogDrafts.SignedHeader) is { } logsHeader && (signedLogs = AccessLogDrafts.Decode(logsHeader)) is null)
            return (null, Refuse(request, 422, IssueType.Value, $"malformed {AccessLogDrafts.SignedHeader}: base64url of a JSON array of up to {AccessLogDrafts.MaxLogs} access.log transactions"));
        return (new InteropCaller(facility, staff, purpose, breakGlass, signedLogs), null);
    }

    private InteropResponse Refuse(InteropRequest request, int status, IssueType code, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        _logger.LogWarning(InteropEvents.RequestRefused, "Interop request refused {Status}: {Method} {Target} from {Facility}: {Reason}",
            status, request.Method, request.Target, request.Header(InteropSignature.FacilityHeader) ?? "-", message);
        return InteropFhir.Error(status, code, message, headers);
    }

    /// <summary>The path segments after /fhir/r4/, or null for a target outside it.</summary>
    private static string[]? RouteOf(string target)
    {
        const string prefix = "/fhir/r4/";
        var path = target.Split('?', 2)[0];
        return path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..].Split('/') : null;
    }

    public void Dispose()
    {
        _limiter.Dispose();
    }
}
