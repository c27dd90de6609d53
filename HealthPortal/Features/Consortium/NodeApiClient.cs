using System.Collections.Concurrent;
using System.Net.Http.Headers;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Features.Consortium;

/// <summary>What another node answered; <see cref="Status"/> 0 when it could not be reached in time.</summary>
public sealed record NodeApiResponse(int Status, byte[] Body, string? Problem = null)
{
    public bool Reached => Status != 0;
    public static NodeApiResponse Unreachable(string problem) => new(0, [], problem);
}

/// <summary>
/// Calls other nodes: the node API (<c>/node/v1/…</c>) signed with this node's key (<see cref="NodeRequestSignature"/>),
/// and plain HTTP clients per node origin for the FHIR interop API (those requests carry their own signature). Every
/// call is bounded by <see cref="Timeout"/>: a node that is down, unreachable or slow is an answer ("unreachable"),
/// never a hang, and never confused with a refusal.
/// </summary>
public sealed class NodeApiClient : IDisposable
{
    private readonly Func<LedgerKeyPair> _nodeKey;
    private readonly TimeProvider _clock;
    private readonly SocketsHttpHandler _handler;
    private readonly ConcurrentDictionary<Uri, HttpClient> _clients = new();
    private readonly ConcurrentDictionary<Uri, DateTimeOffset> _downUntil = new();

    /// <summary>
    /// After a node did not answer, further calls to it answer "unreachable" at once for this long: a timeline of twenty
    /// records of one dead node then costs one timeout, not twenty.
    /// </summary>
    public static readonly TimeSpan DownFor = TimeSpan.FromSeconds(15);

    public NodeApiClient(Func<LedgerKeyPair> nodeKey, TimeProvider clock, TimeSpan? timeout = null)
    {
        (_nodeKey, _clock) = (nodeKey, clock);
        Timeout = timeout ?? TimeSpan.FromSeconds(5);
        // Connecting is the part that hangs on a dead host: bounded separately, well inside the call's own bound.
        _handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromTicks(Math.Min(Timeout.Ticks, TimeSpan.FromSeconds(2).Ticks)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false,
        };
    }

    /// <summary>The bound on one call to another node, connecting and reading the answer included.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>An HTTP client for <paramref name="origin"/> (shared connections, the same bound).</summary>
    public HttpClient For(Uri origin) => _clients.GetOrAdd(origin, o => new HttpClient(_handler, disposeHandler: false) { BaseAddress = o, Timeout = Timeout });

    /// <summary>The ledger id this node signs node-API requests with.</summary>
    public string NodeId => _nodeKey().Id;

    /// <summary>Sends one signed node-API request; <paramref name="patient"/> is the MPI number of the patient this node vouches for.</summary>
    public async Task<NodeApiResponse> SendAsync(Uri origin, HttpMethod method, string target, byte[]? body, string? patient, CancellationToken ct = default)
    {
        body ??= [];
        if (_downUntil.TryGetValue(origin, out var until) && _clock.GetUtcNow() < until)
            return NodeApiResponse.Unreachable($"the node at {origin} did not answer a moment ago; not asked again before {until:HH:mm:ss} UTC");
        using var message = new HttpRequestMessage(method, target);
        foreach (var (name, value) in NodeRequestSignature.Sign(_nodeKey(), method.Method, target, body, patient, _clock))
            message.Headers.TryAddWithoutValidation(name, value);
        if (body.Length > 0 || method != HttpMethod.Get)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Timeout);
        try
        {
            using var response = await For(origin).SendAsync(message, bound.Token);
            var answer = new NodeApiResponse((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(bound.Token));
            _downUntil.TryRemove(origin, out _);
            return answer;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Down(origin, $"the node at {origin} did not answer within {Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return Down(origin, $"the node at {origin} cannot be reached: {e.Message}");
        }
    }

    private NodeApiResponse Down(Uri origin, string problem)
    {
        _downUntil[origin] = _clock.GetUtcNow() + DownFor;
        return NodeApiResponse.Unreachable(problem);
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _handler.Dispose();
    }
}
