using System.Net.Http.Headers;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Ledger;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Explorer;

/// <summary>One consortium member as the admin's Network page shows it.</summary>
/// <param name="MemberId">The member's id in <c>HealthPortal:Network:Members</c>; for a member that joined later (approved on the ledger, not configured here), the origin of its ledger endpoint.</param>
/// <param name="Status">Its last answer (kept while it is unreachable, so the page can show what it last said).</param>
/// <param name="Lag">Blocks behind the leader (or the highest member when no leader answered); null while unreachable.</param>
/// <param name="LastContact">When it last answered this node (this node itself: now).</param>
/// <param name="UnreachableSince">Set from the first poll it did not answer until it answers again.</param>
/// <param name="Problem">Why the last poll got no status from it (timeout, refused connection, not a status).</param>
public sealed record MemberView(
    string MemberId, string Url, bool IsSelf, NodeStatusDocument? Status, long? Lag, DateTimeOffset? LastContact,
    DateTimeOffset? UnreachableSince, string? Problem)
{
    public bool IsReachable => UnreachableSince is null && Status is not null;

    /// <summary>What to call it before it has ever answered: its configured id, or the facility names the ledger gives its endpoint.</summary>
    public string Label { get; init; } = MemberId;
}

/// <summary>One point of the live chart: this node's height and each reachable member's lag at a poll.</summary>
public sealed record ConsortiumSample(DateTimeOffset At, long Height, IReadOnlyDictionary<string, long> Lags);

/// <summary>The consortium at one poll: every member and the recent samples (oldest first) for the chart.</summary>
public sealed record ConsortiumView(DateTimeOffset At, IReadOnlyList<MemberView> Members, IReadOnlyList<ConsortiumSample> Samples)
{
    /// <summary>Blocks committed per second on this node between consecutive samples (one fewer than the samples).</summary>
    public IReadOnlyList<(DateTimeOffset At, double PerSecond)> BlocksPerSecond()
        => [.. Samples.Zip(Samples.Skip(1), (a, b) => (b.At, Rate(a, b)))];

    private static double Rate(ConsortiumSample a, ConsortiumSample b)
    {
        var seconds = (b.At - a.At).TotalSeconds;
        return seconds <= 0 ? 0 : Math.Max(0, b.Height - a.Height) / seconds;
    }
}

/// <summary>
/// Watches the Raft members for the Network page: this node's status from its own ledger, every other member's from
/// its <c>/node/status</c> (JSON) over HTTP with a bounded timeout. A member that does not answer is shown as
/// unreachable since the first poll it missed, never as an error. One instance per process: polls from several open
/// pages share one round (at most one per <see cref="MinInterval"/>) and one history of samples.
/// </summary>
public sealed class ConsortiumMonitor(
    LedgerHost ledger, IOptions<NetworkSettings> network, IHttpClientFactory http, TimeProvider clock, ILogger<ConsortiumMonitor> logger)
{
    public const string HttpClientName = "consortium-status";

    /// <summary>How long a member has to answer one poll: well under the page's refresh, so a dead member never stalls it.</summary>
    public static readonly TimeSpan MemberTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Polls closer together than this (several admins' pages) answer from the last round.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>Samples kept for the chart: two minutes at the page's refresh.</summary>
    public const int MaxSamples = 60;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Contact> _contacts = new(StringComparer.Ordinal);
    private readonly List<ConsortiumSample> _samples = [];
    private ConsortiumView? _last;

    /// <summary>Polls every member (in parallel, each bounded by <see cref="MemberTimeout"/>) and returns the view.</summary>
    public async Task<ConsortiumView> PollAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = clock.GetUtcNow();
            if (_last is { } recent && now - recent.At < MinInterval) return recent;
            var settings = network.Value;
            var targets = settings.Members.Select(m => new Target(m.NodeId, m.PublicUrl, m.NodeId == settings.NodeId, m.NodeId))
                .Concat(JoinedLater(settings)).ToList();
            var answers = await Task.WhenAll(targets.Select(t => t.IsSelf
                ? Task.FromResult(Answer.Of(NodeStatusDocument.Of(ledger, clock)))
                : AskAsync(t.Url, cancellationToken))).ConfigureAwait(false);
            now = clock.GetUtcNow();

            var leaderHeight = answers.Where(a => a.Status?.Role == "leader").Select(a => (long?)a.Status!.Height).Max()
                ?? answers.Where(a => a.Status is not null).Select(a => (long?)a.Status!.Height).Max() ?? 0;
            var members = new List<MemberView>(answers.Length);
            for (var i = 0; i < answers.Length; i++)
            {
                var t = targets[i];
                var contact = _contacts.TryGetValue(t.Id, out var known) ? known : new Contact(null, null, null);
                contact = answers[i].Status is { } status
                    ? new Contact(status, now, null)
                    : contact with { UnreachableSince = contact.UnreachableSince ?? now };
                _contacts[t.Id] = contact;
                var answered = answers[i].Status is not null;
                members.Add(new MemberView(t.Id, t.Url, t.IsSelf, contact.Status,
                    answered ? Math.Max(0, leaderHeight - contact.Status!.Height) : null, contact.LastContact, contact.UnreachableSince, answers[i].Problem)
                    { Label = t.Label });
            }

            _samples.Add(new ConsortiumSample(now, ledger.Engine.Height,
                members.Where(v => v.Lag is not null).ToDictionary(v => v.MemberId, v => v.Lag!.Value, StringComparer.Ordinal)));
            if (_samples.Count > MaxSamples) _samples.RemoveRange(0, _samples.Count - MaxSamples);
            return _last = new ConsortiumView(now, members, [.. _samples]);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Members that joined after this node was configured: facilities approved on the ledger after genesis whose endpoint is not at a
    /// configured member's origin and whose node id no configured member has answered with (one per origin, since one
    /// portal may host several facilities). Membership follows the ledger (approve adds, revoke removes), so they vote.
    /// </summary>
    private IEnumerable<Target> JoinedLater(NetworkSettings settings)
    {
        var configured = settings.Members.Select(m => OriginOf(m.PublicUrl)).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var answered = settings.Members.Select(m => _contacts.GetValueOrDefault(m.NodeId)?.Status?.NodeId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        answered.Add(ledger.Engine.NodeId);
        return ledger.Reader.Nodes()
            // Genesis nodes (the sealer, the founders) are in every member's configuration from the start.
            .Where(n => n.Status == HealthPortal.Ledger.State.NodeStatus.Approved && n.RegisterTx != "genesis" && !answered.Contains(n.Id))
            .Select(n => (Node: n, Origin: OriginOf(n.Endpoint)))
            .Where(x => x.Origin is not null && !configured.Contains(x.Origin))
            .GroupBy(x => x.Origin!, StringComparer.OrdinalIgnoreCase)
            .Select(g => new Target(g.Key, g.Key, false, string.Join(", ", g.Select(x => x.Node.Name))));
    }

    /// <summary>The scheme, host and port of an absolute http(s) URL (a ledger endpoint may carry a path such as /fhir).</summary>
    private static string? OriginOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;

    private async Task<Answer> AskAsync(string baseUrl, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri)) return Answer.Failed($"not a URL: {baseUrl}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(MemberTimeout);
        try
        {
            using var client = http.CreateClient(HttpClientName);
            client.MaxResponseContentBufferSize = NodeStatusDocument.MaxBytes;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/node/status"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return Answer.Failed($"answered {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return NodeStatusDocument.Parse(body) is { } status ? Answer.Of(status) : Answer.Failed("answered something that is not a node status");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Answer.Failed($"no answer within {MemberTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            logger.LogDebug("Member {Url} did not answer: {Message}", baseUrl, e.Message);
            return Answer.Failed(e.Message);
        }
    }

    private sealed record Target(string Id, string Url, bool IsSelf, string Label);

    private sealed record Contact(NodeStatusDocument? Status, DateTimeOffset? LastContact, DateTimeOffset? UnreachableSince);

    private sealed record Answer(NodeStatusDocument? Status, string? Problem)
    {
        public static Answer Of(NodeStatusDocument status) => new(status, null);
        public static Answer Failed(string problem) => new(null, problem);
    }
}
