using System.Net;
using Bunit;
using HealthPortal.Features.Consortium;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace HealthPortal.Tests.Features.Explorer;

/// <summary>Three ledger hosts in raft mode, shared by the tests of a class (each test answers the members' HTTP itself).</summary>
public sealed class RaftHostsFixture : IAsyncLifetime
{
    public RaftHostCluster Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.StartAsync();
        var leader = await Cluster.WaitForLeaderAsync();
        // One block beyond genesis, so heights and heads are the chain's, not only the genesis file's.
        var patient = HealthPortal.Ledger.Crypto.LedgerKeyPair.Create();
        var result = await Cluster.Hosts[leader]!.Engine.SubmitAsync(new HealthPortal.Ledger.Transactions.TransactionFactory(TimeProvider.System)
            .PatientRegister(patient.PublicJwk, "MPI-MEMBERS", LedgerKit.Hash("p"), 4).SignWith(patient)).AsTask().WaitAsync(HealthPortal.Tests.Consortium.RaftTestCluster.Bound);
        Assert.True(result.IsCommitted, result.ToString());
        var deadline = DateTime.UtcNow + HealthPortal.Tests.Consortium.RaftTestCluster.Bound;
        while (Cluster.Hosts.Select(h => h!.Engine.Height).Distinct().Count() > 1 && DateTime.UtcNow < deadline) await Task.Delay(10);
        // Said here rather than as a wrong height in whichever test comes first.
        Assert.True(Cluster.Hosts.Select(h => h!.Engine.Height).Distinct().Count() == 1,
            "the raft hosts did not reach one height: " + string.Join(", ", Cluster.Hosts.Select(h => h!.Engine.Height)));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// The test classes that read the Network page of <see cref="RaftHostsFixture"/>'s cluster (in English and in Burmese)
/// share one cluster and run one after the other: two such clusters started at once beside the rest of the suite were
/// the only change when a member was once found a block behind (CI, 8 Dec 2026).
/// </summary>
[CollectionDefinition(Name)]
public sealed class RaftHostsCollection : ICollectionFixture<RaftHostsFixture>
{
    public const string Name = "raft hosts";
}

/// <summary>
/// The admin Network page in raft mode: every member's own <c>/node/status</c> (answered here in process from each
/// member's ledger, as its endpoint would), a member that does not answer shown as unreachable, alarms shown, and the
/// live refresh stopped with the page.
/// </summary>
[Collection(RaftHostsCollection.Name)]
public sealed class ConsortiumMembersTests(RaftHostsFixture hosts) : PortalComponentTest
{
    private readonly MemberAnswers _answers = new(hosts.Cluster);

    protected override Task ConfigureAsync()
    {
        AddServices(Services, hosts, _answers);
        return Task.CompletedTask;
    }

    /// <summary>The Network page's services on the first member, its peers answered by <paramref name="answers"/> (also ConsortiumBurmeseTests).</summary>
    internal static void AddServices(IServiceCollection Services, RaftHostsFixture hosts, MemberAnswers answers)
    {
        var host = hosts.Cluster.Hosts[0]!;
        Services.AddSingleton(host);
        Services.AddSingleton(Options.Create(hosts.Cluster.Settings[0]));
        Services.AddSingleton<IHttpClientFactory>(answers);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton<ConsortiumMonitor>();
        Services.AddSingleton<LedgerQueries>();
    }

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<ConsortiumMembers> page) =>
        page.FindAll("[data-testid='members-table'] tbody tr");

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<ConsortiumMembers> page, string memberId) =>
        Rows(page).Single(r => r.QuerySelector($"[data-testid='member-{memberId}']") is not null);

    [Fact]
    public void NetworkPanel_InRaftMode_ShowsEveryMemberWithRoleHeightHeadAndLag()
    {
        Render<MudPopoverProvider>();
        var panel = Render<NetworkPanel>();
        var page = panel.FindComponent<ConsortiumMembers>();

        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count), TimeSpan.FromSeconds(10));
        var engines = hosts.Cluster.Hosts.Select(h => h!.Engine).ToList();
        Assert.Equal(["Riverside (this node)", "Lakeview", "Northgate"], Rows(page).Select(r => r.QuerySelector("td div")!.TextContent.Trim()));
        Assert.Single(Rows(page), r => r.QuerySelector("[data-testid='member-role']")!.TextContent.Trim() == "leader");
        Assert.All(Rows(page), r => Assert.Equal($"#{engines[0].Height}", r.QuerySelector("[data-testid='member-height']")!.TextContent.Trim()));
        Assert.All(Rows(page), r => Assert.Equal("in sync", r.QuerySelector("[data-testid='member-lag']")!.TextContent.Trim()));
        Assert.All(Rows(page), r => Assert.Equal("none", r.QuerySelector("[data-testid='member-alarm']")!.TextContent.Trim()));
        var head = HealthPortal.Ledger.Crypto.Base64Url.Encode(engines[0].Reader.Head().Hash);
        Assert.All(Rows(page), r => Assert.Equal(head, r.QuerySelector("[data-testid='member-head']")!.GetAttribute("title")));
        Assert.Equal("this node", Row(page, "node0").QuerySelector("[data-testid='member-contact']")!.TextContent.Trim());
        Assert.NotNull(page.Find("[data-testid='blocks-per-second-chart'] svg"));
        Assert.NotNull(page.Find("[data-testid='replication-lag-chart'] svg"));
        // The embedded view is still there below the members.
        Assert.NotNull(panel.Find("[data-testid='nodes-table']"));
    }

    [Fact]
    public void Member_ThatStopsAnswering_IsShownUnreachableSinceTheFirstMissedPoll()
    {
        Render<MudPopoverProvider>();
        var page = Render<ConsortiumMembers>(p => p.Add(x => x.Refresh, TimeSpan.FromMilliseconds(200)));
        page.WaitForAssertion(() => Assert.NotEqual("never", Row(page, "node2").QuerySelector("[data-testid='member-contact']")!.TextContent.Trim()), TimeSpan.FromSeconds(10));

        _answers.Down.Add(2);

        page.WaitForAssertion(() =>
        {
            var role = Row(page, "node2").QuerySelector("[data-testid='member-role']")!.TextContent;
            Assert.Contains("unreachable", role);
            Assert.Matches(@"since \d\d:\d\d:\d\d UTC", role);
        }, TimeSpan.FromSeconds(10));
        var row = Row(page, "node2");
        Assert.Equal("-", row.QuerySelector("[data-testid='member-lag']")!.TextContent.Trim());
        // What it said last stays visible; the others are unaffected.
        Assert.StartsWith("#", row.QuerySelector("[data-testid='member-height']")!.TextContent.Trim());
        Assert.Equal("in sync", Row(page, "node1").QuerySelector("[data-testid='member-lag']")!.TextContent.Trim());
    }

    [Fact]
    public async Task Member_ThatHangs_IsUnreachableAfterTheBoundedTimeout_NotAnError()
    {
        _answers.Hanging.Add(1);
        var monitor = Services.GetRequiredService<ConsortiumMonitor>();

        var view = await monitor.PollAsync().WaitAsync(ConsortiumMonitor.MemberTimeout * 5);

        var hung = view.Members.Single(m => m.MemberId == "node1");
        Assert.False(hung.IsReachable);
        Assert.NotNull(hung.UnreachableSince);
        Assert.Contains("no answer within", hung.Problem);
        Assert.True(view.Members.Single(m => m.MemberId == "node2").IsReachable);
    }

    [Fact]
    public void Member_WithATamperAlarm_ShowsTheRefusedHeightAndReason()
    {
        _answers.Alarm[1] = new NodeAlarm(7, "BadMerkleRoot", "the transactions' Merkle root does not match the header");
        Render<MudPopoverProvider>();

        var page = Render<ConsortiumMembers>();

        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count), TimeSpan.FromSeconds(10));
        var alarm = Row(page, "node1").QuerySelector("[data-testid='member-alarm']")!.TextContent;
        Assert.Contains("block 7 refused", alarm);
        Assert.Contains("Merkle root does not match", alarm);
        Assert.Equal("none", Row(page, "node2").QuerySelector("[data-testid='member-alarm']")!.TextContent.Trim());
    }

    [Fact]
    public async Task Facility_ApprovedAfterGenesis_AtAnUnconfiguredNode_IsAMemberAskedAtItsLedgerEndpoint()
    {
        // A cluster of its own: the other tests count the fixture's three members.
        await using var cluster = new RaftHostCluster();
        await cluster.StartAsync();
        var answers = new MemberAnswers(cluster);
        var monitor = new ConsortiumMonitor(cluster.Hosts[0]!, Options.Create(cluster.Settings[0]), answers, TimeProvider.System, NullLogger<ConsortiumMonitor>.Instance);
        var leader = await cluster.WaitForLeaderAsync();
        var engine = cluster.Hosts[leader]!.Engine;
        var tx = new HealthPortal.Ledger.Transactions.TransactionFactory(TimeProvider.System);
        var joiner = HealthPortal.Ledger.Crypto.LedgerKeyPair.Create();
        // Hosted by a configured member (its origin): not a member of its own.
        var hosted = HealthPortal.Ledger.Crypto.LedgerKeyPair.Create();
        foreach (var (key, name, endpoint) in new[] { (joiner, "Eastbank Clinic", "https://eastbank.test/fhir"), (hosted, "Riverside Annex", RaftHostCluster.PublicUrl(0) + "/fhir") })
        {
            Assert.True((await engine.SubmitAsync(tx.NodeRegister(key.PublicJwk, "clinic", name, endpoint, 4).SignWith(key))).IsCommitted);
            Assert.True((await engine.SubmitAsync(tx.NodeApprove(key.Id).SignWith(cluster.Admin))).IsCommitted);
        }
        var deadline = DateTime.UtcNow + HealthPortal.Tests.Consortium.RaftTestCluster.Bound;
        while (cluster.Hosts[0]!.Engine.Reader.Node(hosted.Id)?.Status != HealthPortal.Ledger.State.NodeStatus.Approved && DateTime.UtcNow < deadline) await Task.Delay(10);

        var view = await monitor.PollAsync();

        var joined = Assert.Single(view.Members, m => m.MemberId == "https://eastbank.test");
        Assert.Equal("Eastbank Clinic", joined.Label);
        Assert.False(joined.IsReachable);
        Assert.Contains("https://eastbank.test", answers.Asked);
        Assert.Equal(4, view.Members.Count);
    }

    [Fact]
    public void HeadHash_CopyButton_WritesTheFullHashToTheClipboard()
    {
        Render<MudPopoverProvider>();
        var page = Render<ConsortiumMembers>();
        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count), TimeSpan.FromSeconds(10));

        Row(page, "node1").QuerySelector("[data-testid='copy-head']")!.Click();

        var head = HealthPortal.Ledger.Crypto.Base64Url.Encode(hosts.Cluster.Hosts[1]!.Engine.Reader.Head().Hash);
        var call = Assert.Single(JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText");
        Assert.Equal(head, call.Arguments[0]);
    }

    [Fact]
    public async Task Page_WhenDisposed_StopsPollingTheMembers()
    {
        var page = Render<ConsortiumMembers>(p => p.Add(x => x.Refresh, TimeSpan.FromMilliseconds(100)));
        // Polls are at most one per MinInterval: wait for a second round, so the timer is known to run.
        page.WaitForState(() => _answers.Requests >= 4, TimeSpan.FromSeconds(10));

        await DisposeComponentsAsync();
        var after = _answers.Requests;
        await Task.Delay(ConsortiumMonitor.MinInterval * 2.5);

        Assert.Equal(after, _answers.Requests);
    }

    /// <summary>
    /// The members' <c>/node/status</c> as their endpoint answers it (<see cref="NodeStatusDocument"/> from each
    /// member's own ledger), or no answer for members a test took down or made hang.
    /// </summary>
    internal sealed class MemberAnswers(RaftHostCluster cluster) : HttpMessageHandler, IHttpClientFactory
    {
        private int _requests;

        public HashSet<int> Down { get; } = [];
        public HashSet<int> Hanging { get; } = [];
        public Dictionary<int, NodeAlarm> Alarm { get; } = [];
        public System.Collections.Concurrent.ConcurrentBag<string> Asked { get; } = [];
        public int Requests => Volatile.Read(ref _requests);

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            Assert.Equal("/node/status", request.RequestUri!.AbsolutePath);
            Assert.Contains(request.Headers.Accept, a => a.MediaType == "application/json");
            Asked.Add(request.RequestUri.GetLeftPart(UriPartial.Authority));
            var i = Enumerable.Range(0, cluster.Hosts.Length).SingleOrDefault(i => new Uri(RaftHostCluster.PublicUrl(i)).Host == request.RequestUri.Host, -1);
            if (i < 0) throw new HttpRequestException($"Name or service not known ({request.RequestUri.Host})");
            if (Hanging.Contains(i)) await Task.Delay(Timeout.Infinite, cancellationToken);
            if (Down.Contains(i) || cluster.Hosts[i] is not { } host) throw new HttpRequestException("Connection refused (member down)");
            var status = NodeStatusDocument.Of(host, TimeProvider.System);
            if (Alarm.TryGetValue(i, out var alarm)) status = status with { Alarm = alarm };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(status.ToJson(), System.Text.Encoding.UTF8, "application/json") };
        }
    }
}
