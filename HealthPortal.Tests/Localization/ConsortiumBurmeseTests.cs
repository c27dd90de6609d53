using Bunit;
using HealthPortal.Features.Explorer;
using HealthPortal.Tests.Features.Explorer;
using HealthPortal.Tests.Support;
using MudBlazor;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The consortium's members on the Network page (<see cref="ConsortiumMembers"/>) under Burmese, with three raft hosts
/// as in ConsortiumMembersTests, one of them down: roles, lag, contact and the unreachable member's words. Member names,
/// ids and the reason a request failed (the member's or the network's own words, in the tooltip) are data.
/// </summary>
[Collection(RaftHostsCollection.Name)]
public sealed class ConsortiumBurmeseTests(RaftHostsFixture hosts) : PortalComponentTest
{
    private readonly ConsortiumMembersTests.MemberAnswers _answers = new(hosts.Cluster);

    protected override Task ConfigureAsync()
    {
        ConsortiumMembersTests.AddServices(Services, hosts, _answers);
        return Task.CompletedTask;
    }

    [Fact]
    public void Members_UnderBurmese_ShowNoEnglishBeyondNamesAndIds()
    {
        _answers.Down.Add(2);
        try
        {
            var texts = BurmeseText.UnderBurmese(() =>
            {
                Render<MudPopoverProvider>();
                var page = Render<ConsortiumMembers>(p => p.Add(x => x.Refresh, TimeSpan.FromMilliseconds(200)));
                page.WaitForAssertion(() => Assert.Contains("ဆက်သွယ်၍ မရပါ", page.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
                return BurmeseText.Of(page).ToList();
            });

            var data = texts.Where(t => t.StartsWith("Connection refused", StringComparison.Ordinal) || t.StartsWith("node", StringComparison.Ordinal))
                .Concat(["Riverside", "Lakeview", "Northgate"]).Concat(hosts.Cluster.Hosts.Where(h => h is not null).SelectMany(h => new[]
                {
                    h!.Engine.NodeId, HealthPortal.Ledger.Crypto.Base64Url.Encode(h.Engine.Reader.Head().Hash),
                }));
            BurmeseText.AssertBurmeseBeyond(texts, [.. data], "the Burmese consortium members");
            Assert.Contains(texts, t => t.Contains("ဦးဆောင်သူ", StringComparison.Ordinal));
        }
        finally
        {
            _answers.Down.Remove(2);
        }
    }
}
