using System.Net.Http.Headers;
using HealthPortal.Features.Ledger;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Ledger;

/// <summary><c>/node/status</c> on the real app: the <c>node status</c> line for people and scripts, JSON for another member's Network page.</summary>
[Collection(PortalCollection.Name)]
public sealed class NodeStatusDocumentTests(PortalFactory portal)
{
    [Fact]
    public async Task NodeStatus_AskedForJson_AnswersTheLinesFactsWithTheNameAndNoAlarm()
    {
        var client = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/node/status");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await client.SendAsync(request);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = NodeStatusDocument.Parse(await response.Content.ReadAsStringAsync());
        var host = portal.Services.GetRequiredService<LedgerHost>();
        var line = host.Status();
        Assert.NotNull(status);
        Assert.Equal((line.NodeId, line.Role, line.Term, line.Members), (status.NodeId, status.Role, status.Term, status.Members));
        Assert.InRange(status.Height, 0, host.Engine.Height);
        Assert.Equal(host.Engine.Genesis.Sealer.Name, status.Name);
        Assert.Null(status.Alarm);
    }

    [Fact]
    public async Task NodeStatus_WithoutAcceptJson_IsStillTheOneLine()
    {
        var body = await portal.CreateClient().GetStringAsync("/node/status");

        Assert.Matches(@"^node=\S+ role=standalone term=0 height=\d+ head=\S+ members=\d+\n$", body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"nodeId\":\"n\",\"role\":\"leader\"}")]
    public void Parse_SomethingThatIsNotAStatus_IsNull(string body) => Assert.Null(NodeStatusDocument.Parse(body));

    [Fact]
    public void Json_RoundTrips_WithTheAlarm()
    {
        var status = new NodeStatusDocument("kid", "Lakeview", "follower", 4, 12, "head", 3, DateTimeOffset.UnixEpoch,
            new NodeAlarm(12, "BadProposer", "the proposer is not an approved facility"));

        Assert.Equal(status, NodeStatusDocument.Parse(status.ToJson()));
    }
}
