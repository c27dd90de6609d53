using System.Text.Json.Nodes;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// A Byzantine leader: once armed, whichever node leads replicates a lying block (re-signed with its own key, so only
/// re-verification can catch it). Every follower refuses it with the alarm naming the block's height and the reason,
/// and nothing of it is written anywhere; the honest chain below it is intact and verifies.
/// </summary>
public sealed class RaftByzantineTests
{
    public enum Lie { WrongMerkleRoot, BrokenLink, ForgedPatientSignature, UnapprovedProposer }

    private static byte[] Reseal(BlockHeader header, LedgerKeyPair signer, IReadOnlyList<Transaction> transactions)
    {
        var bytes = header.CanonicalBytes();
        return SealedBlockCodec.Encode(bytes, signer.Sign(bytes), transactions);
    }

    private static Transaction ForgeLastSignature(Transaction tx)
    {
        var forger = LedgerKeyPair.Create();
        var json = tx.ToJson();
        var sigs = new JsonArray();
        for (var i = 0; i < tx.Signatures.Count; i++)
        {
            var s = tx.Signatures[i];
            var sig = i == tx.Signatures.Count - 1 ? forger.Sign(tx.SigningBytes) : s.Signature;
            sigs.Add(new JsonObject { ["kid"] = s.Kid, ["sig"] = Base64Url.Encode(sig) });
        }
        json["signatures"] = sigs;
        return TransactionCodec.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())).ValueOrThrow();
    }

    private static byte[] Lying(Lie lie, SealedBlock block, LedgerKeyPair leaderKey)
    {
        var header = block.Block.Header;
        switch (lie)
        {
            case Lie.WrongMerkleRoot:
                return Reseal(header with { TxRoot = new byte[32] }, leaderKey, block.Transactions);
            case Lie.BrokenLink:
                return Reseal(header with { Previous = new byte[32] }, leaderKey, block.Transactions);
            case Lie.UnapprovedProposer:
                var stranger = LedgerKeyPair.Create();
                return Reseal(header with { Proposer = stranger.Id }, stranger, block.Transactions);
            default:
                var forged = block.Transactions.Select(ForgeLastSignature).ToList();
                var sigRoot = BlockHeader.SignatureRoot(forged.Select(t => HealthPortal.Ledger.Storage.StoredTransaction.EncodeSignatures(t.Signatures)));
                return Reseal(header with { SigRoot = sigRoot }, leaderKey, forged);
        }
    }

    [Theory]
    [InlineData(Lie.WrongMerkleRoot, BlockRefusalCode.MerkleRootMismatch)]
    [InlineData(Lie.BrokenLink, BlockRefusalCode.BrokenLink)]
    [InlineData(Lie.ForgedPatientSignature, BlockRefusalCode.InvalidTransaction)]
    [InlineData(Lie.UnapprovedProposer, BlockRefusalCode.ProposerNotApproved)]
    public async Task ALyingLeadersBlock_IsRefusedByEveryFollower_WithTheAlarmNamingItsHeight(Lie lie, BlockRefusalCode expected)
    {
        var armed = 0;
        RaftTestCluster? self = null;
        await using var cluster = self = new RaftTestCluster(replicatedBytes: i => block =>
            Volatile.Read(ref armed) == 1 ? Lying(lie, block, self!.Keys[i]) : block.ToBytes());
        var leader = await cluster.WaitForLeader();
        var honest = await cluster.Engines[leader]!.SubmitAsync(cluster.NewPatient("MPI-HONEST")).AsTask().WaitAsync(RaftTestCluster.Bound);
        Assert.True(honest.IsCommitted, honest.ToString());
        await cluster.WaitConverged();
        var honestHeight = cluster.Engines[leader]!.Height;

        Volatile.Write(ref armed, 1);
        var lied = await cluster.Engines[leader]!.SubmitAsync(cluster.NewPatient("MPI-LIE")).AsTask().WaitAsync(RaftTestCluster.Bound);

        Assert.False(lied.IsCommitted);
        var deadline = DateTime.UtcNow + RaftTestCluster.Bound;
        foreach (var i in cluster.Running)
        {
            while (cluster.Engines[i]!.TamperAlarm is null && DateTime.UtcNow < deadline) await Task.Delay(10);
            var alarm = cluster.Engines[i]!.TamperAlarm;
            Assert.NotNull(alarm);
            Assert.Equal(honestHeight + 1, alarm!.Height);
            Assert.Equal(expected, alarm.Code);
            Assert.Equal(honestHeight, cluster.Engines[i]!.Height);
            var report = cluster.Engines[i]!.Verify();
            Assert.True(report.IsValid, report.ToLine());
        }
        // A halted node takes no writes, and says why.
        var follower = cluster.Running.First(i => i != leader);
        var write = await cluster.Engines[follower]!.SubmitAsync(cluster.NewPatient("MPI-AFTER"));
        Assert.Equal(LedgerError.LedgerHalted, write.Error);
    }
}
