using System.Diagnostics;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// The Raft voting membership follows the ledger: a facility whose <c>node.approve</c> commits joins (announcing its
/// endpoints over the authenticated channel, added by the leader), catches up from the log and verifies every block;
/// its <c>node.revoke</c> removes it, so it no longer counts toward the quorum.
/// </summary>
public sealed class RaftMembershipTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AnApprovedFacility_Joins_CatchesUp_AndVerifies_ThenRevoked_IsRemoved_AndThreeKeepAQuorum()
    {
        await using var cluster = new RaftTestCluster(joiners: 1);
        const int newcomer = 3;
        var leader = await cluster.WaitForLeader();
        var before = await cluster.SubmitThrough(leader, 20, "BEFORE");
        Assert.All(before, r => Assert.True(r.Result.IsCommitted, r.Result.ToString()));

        // The fourth node starts from the genesis file and the founders' addresses only: not a voter yet.
        cluster.Start(newcomer);
        var registerVia = (leader + 1) % 3;
        var approveVia = (leader + 2) % 3;
        var parameters = cluster.GenesisFile.Genesis.Parameters;
        var register = cluster.Tx.NodeRegister(cluster.Keys[newcomer].PublicJwk, NodeKind.Clinic, "Fourth Clinic", "https://node3.example", parameters.FacilityPowBits)
            .SignWith(cluster.Keys[newcomer]);
        var registered = await cluster.Engines[registerVia]!.SubmitAsync(register);
        Assert.True(registered.IsCommitted, registered.ToString());
        Assert.False(cluster.Orderings[newcomer]!.IsVotingMember);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(3, cluster.Orderings[i]!.VotingMembers.Count));

        var joined = Stopwatch.StartNew();
        var approved = await cluster.Engines[approveVia]!.SubmitAsync(cluster.Tx.NodeApprove(cluster.Keys[newcomer].Id).SignWith(cluster.Admin));
        Assert.True(approved.IsCommitted, approved.ToString());
        await RaftTestCluster.WaitUntil(() => cluster.Running.All(i => cluster.Orderings[i]!.VotingMembers.Count == 4) && cluster.Orderings[newcomer]!.IsVotingMember,
            () => "the approved node is a voting member on every node: " + string.Join("; ", cluster.Running.Select(i => $"node{i} members={cluster.Orderings[i]!.VotingMembers.Count} voting={cluster.Orderings[i]!.IsVotingMember}")));
        await cluster.WaitConverged();
        output.WriteLine($"node{newcomer} joined and caught up {cluster.Engines[newcomer]!.Height} blocks {joined.ElapsedMilliseconds} ms after the approval committed");

        // It takes writes like any member, and every replica ends with one head that verifies.
        var through = await cluster.SubmitThrough(newcomer, 5, "NEWCOMER");
        Assert.All(through, r => Assert.True(r.Result.IsCommitted, r.Result.ToString()));
        await cluster.WaitConverged();
        Assert.Single(cluster.Running.Select(i => Base64Url.Encode(cluster.Engines[i]!.Reader.Head().Hash)).Distinct());
        Assert.All(cluster.Running, i => Assert.True(cluster.Engines[i]!.Verify().IsValid, $"node{i}"));
        Assert.All(cluster.Running, i => Assert.Null(cluster.Engines[i]!.TamperAlarm));
        foreach (var tx in before.Concat(through).Select(r => r.Tx)) Assert.NotNull(cluster.Engines[newcomer]!.GetReceipt(tx.Id));
        var newcomerHead = cluster.Engines[newcomer]!.Reader.Head();
        // Every node maps the newcomer's key to its endpoints (what a later leader needs to remove it).
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(cluster.Members[newcomer], cluster.Orderings[i]!.Directory[cluster.Keys[newcomer].Id]));

        // Idempotent across a restart of the newcomer (it starts as a member from its directory and is told it is in)
        // and a change of leader (the next leader has the directory from the log and does the removal below).
        await cluster.Stop(newcomer);
        var whileDown = await cluster.SubmitThrough(leader, 5, "DOWN");
        Assert.All(whileDown, r => Assert.True(r.Result.IsCommitted, r.Result.ToString()));
        cluster.Start(newcomer);
        await RaftTestCluster.WaitUntil(() => cluster.Orderings[newcomer]!.IsVotingMember && cluster.Running.All(i => cluster.Orderings[i]!.VotingMembers.Count == 4),
            () => "the restarted newcomer is a member again");
        await cluster.WaitConverged();
        var formerLeader = leader;
        await cluster.Stop(formerLeader);
        leader = await cluster.WaitForLeader();
        cluster.Start(formerLeader);
        await cluster.WaitConverged();
        output.WriteLine($"after the restart and the leader change node{leader} leads; members: {cluster.Orderings[leader]!.VotingMembers.Count}");

        // Revoked: removed from the voting members on every founder.
        var revoked = await cluster.Engines[(leader + 1) % 3]!.SubmitAsync(cluster.Tx.NodeRevoke(cluster.Keys[newcomer].Id, NodeDecisionReasons.LeftNetwork).SignWith(cluster.Admin));
        Assert.True(revoked.IsCommitted, revoked.ToString());
        await RaftTestCluster.WaitUntil(() => Enumerable.Range(0, 3).All(i => cluster.Orderings[i]!.VotingMembers.Count == 3
            && !cluster.Orderings[i]!.VotingMembers.Contains(cluster.Members[newcomer].Raft)), () => "the revoked node is out of the voting members");

        // With the revoked node and one founder down, two of three is a quorum (two of four would not be).
        await cluster.Stop(newcomer);
        leader = await cluster.WaitForLeader();
        await cluster.Stop(Enumerable.Range(0, 3).First(i => i != leader));
        leader = await cluster.WaitForLeader();
        var after = await cluster.SubmitThrough(cluster.Running.First(i => i != leader), 5, "AFTER");
        Assert.All(after, r => Assert.True(r.Result.IsCommitted, r.Result.ToString()));
        await cluster.WaitConverged();

        foreach (var i in cluster.Running.ToList()) await cluster.Stop(i);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = Enumerable.Range(0, 4).Select(i => (i, Report: ChainVerifier.VerifyFull(cluster.DatabasePath(i)))).ToList();
        Assert.All(files, f => Assert.True(f.Report.IsValid, $"node{f.i}: {f.Report.ToLine()}"));
        Assert.True(files[newcomer].Report.Height >= newcomerHead.Height);
    }

    [Fact]
    public async Task RevokingTheLeadersFacility_MakesItLeave_AndTheOthersGoOnWithoutIt()
    {
        await using var cluster = new RaftTestCluster();
        var leader = await cluster.WaitForLeader();
        // The directory must know every member before a removal can map a key to an endpoint.
        await RaftTestCluster.WaitUntil(() => cluster.Running.All(i => cluster.Orderings[i]!.Directory.Count == 3), () => "every member announced");
        var via = (leader + 1) % 3;
        var revoked = await cluster.Engines[via]!.SubmitAsync(cluster.Tx.NodeRevoke(cluster.Keys[leader].Id, NodeDecisionReasons.SecurityIncident).SignWith(cluster.Admin));
        Assert.True(revoked.IsCommitted, revoked.ToString());
        // Submitted while the revoked leader may still lead (it leaves and resigns only after applying its revocation):
        // they reach the next leader and commit; none is refused because of the old leader's revocation.
        var during = cluster.SubmitThrough(via, 5, "DURING");

        var others = Enumerable.Range(0, 3).Where(i => i != leader).ToList();
        await RaftTestCluster.WaitUntil(() => others.All(i => cluster.Orderings[i]!.VotingMembers.Count == 2 && !cluster.Orderings[i]!.VotingMembers.Contains(cluster.Members[leader].Raft))
            && others.Any(i => cluster.Orderings[i]!.IsLeader),
            () => "the revoked leader left: " + string.Join("; ", cluster.Running.Select(i => $"node{i} {cluster.Orderings[i]!.Role} members={cluster.Orderings[i]!.VotingMembers.Count}")));
        var after = await cluster.SubmitThrough(via, 5, "AFTER");
        Assert.All(after, r => Assert.True(r.Result.IsCommitted, r.Result.ToString()));
        Assert.All(await during, r => Assert.True(r.Result.IsCommitted, r.Result.ToString()));
        await cluster.Stop(leader);
        await cluster.WaitConverged();
        Assert.All(others, i => Assert.True(cluster.Engines[i]!.Verify().IsValid));
        Assert.All(others, i => Assert.Null(cluster.Engines[i]!.TamperAlarm));
    }
}
