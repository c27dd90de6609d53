using System.Net;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// Node-to-node traffic is mutual TLS with certificates made from ledger keys: a peer is admitted only while its key
/// is an approved facility on the receiving node's replica — an unknown key is refused, and so is a key once its
/// revocation has committed.
/// </summary>
public sealed class NodeAuthenticationTests
{
    private static ForwardingChannel ClientAs(LedgerKeyPair key, Func<string, bool> trusts)
    {
        var cert = NodeCertificates.Create(key);
        return new ForwardingChannel(RaftTestCluster.FreeLoopback(), NodeCertificates.ServerOptions(cert, trusts), NodeCertificates.ClientOptions(cert, trusts),
            (_, _) => Task.FromResult(new ForwardReply(ForwardStatus.NotLeader)), _ => { });
    }

    [Fact]
    public void ACertificateCarriesTheNodesLedgerKeyId()
    {
        var key = LedgerKeyPair.Create();
        using var cert = NodeCertificates.Create(key);
        Assert.Equal(key.Id, NodeCertificates.NodeIdOf(cert));
        Assert.True(cert.HasPrivateKey);
    }

    [Fact]
    public async Task AnUnknownKey_IsRefused_AnApprovedOne_IsServed_AndARevokedOne_IsRefusedOnceRevocationCommits()
    {
        await using var cluster = new RaftTestCluster();
        var leader = await cluster.WaitForLeader();
        var target = cluster.Members[leader].Forward;
        var wire = System.Text.Encoding.UTF8.GetBytes(cluster.NewPatient("MPI-AUTH").ToJsonString());

        await using (var stranger = ClientAs(LedgerKeyPair.Create(), _ => true))
            await Assert.ThrowsAsync<IOException>(() => stranger.SendAsync(target, wire, CancellationToken.None).WaitAsync(RaftTestCluster.Bound));

        var member = cluster.Running.First(i => i != leader);
        await using (var approved = ClientAs(cluster.Keys[member], _ => true))
        {
            var reply = await approved.SendAsync(target, wire, CancellationToken.None).WaitAsync(RaftTestCluster.Bound);
            Assert.Equal(ForwardStatus.Committed, reply.Status);
        }

        var revoke = await cluster.Engines[leader]!.SubmitAsync(cluster.Tx.NodeRevoke(cluster.Keys[member].Id, NodeDecisionReasons.LeftNetwork).SignWith(cluster.Admin));
        Assert.True(revoke.IsCommitted, revoke.ToString());
        await using (var revoked = ClientAs(cluster.Keys[member], _ => true))
            await Assert.ThrowsAsync<IOException>(() => revoked.SendAsync(target, cluster.NewPatient("MPI-REVOKED").ToJsonString() is var s
                ? System.Text.Encoding.UTF8.GetBytes(s) : [], CancellationToken.None).WaitAsync(RaftTestCluster.Bound));
    }
}
