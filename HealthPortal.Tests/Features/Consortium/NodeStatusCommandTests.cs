using HealthPortal.Features.Operator;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Consortium;

public sealed class NodeStatusCommandTests
{
    [Fact]
    public async Task NodeStatus_EmbeddedNode_PrintsOneStandaloneLineAndExitsZero()
    {
        await using var kit = new LedgerKit();
        await kit.ApprovedFacility();
        var height = kit.Engine.Height;
        var head = Base64Url.Encode(kit.Engine.Store.Head()!.Hash);
        await kit.Close();
        var output = new StringWriter();

        Assert.Equal(0, OperatorCommands.Run(["node", "status", "--data", kit.Folder], output));
        // The genesis sealer and the approved lab are the members.
        Assert.Equal($"node={kit.Sealer.Id} role=standalone term=0 height={height} head={head} members=2", output.ToString().Trim());
    }

    [Fact]
    public void NodeStatus_FolderWithoutLedger_PrintsBadAndExitsOne()
    {
        var folder = Directory.CreateTempSubdirectory("hp-nostatus-").FullName;
        try
        {
            var output = new StringWriter();
            Assert.Equal(1, OperatorCommands.Run(["node", "status", "--data", folder], output));
            Assert.StartsWith("BAD no ledger at", output.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary><c>node status --url</c> asks a running node's <c>/node/status</c>.</summary>
public sealed class NodeStatusUrlTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public void NodeStatus_Url_PrintsTheRunningNodesLine()
    {
        _ = portal.CreateClient(); // starts the host
        var output = new StringWriter();

        var code = HealthPortal.Features.Consortium.NodeStatusCommand.RunUrl(portal.Server.BaseAddress.ToString(), output, portal.Server.CreateHandler());

        Assert.Equal(0, code);
        Assert.Matches(@"^node=\S+ role=standalone term=0 height=\d+ head=\S+ members=\d+$", output.ToString().Trim());
    }

    [Fact]
    public void NodeStatus_UrlThatDoesNotAnswer_PrintsBadAndExitsOne()
    {
        var output = new StringWriter();
        var closed = HealthPortal.Tests.Consortium.RaftTestCluster.FreeLoopback();
        Assert.Equal(1, HealthPortal.Features.Consortium.NodeStatusCommand.RunUrl($"http://{closed}", output));
        Assert.StartsWith("BAD", output.ToString());
    }
}
