using HealthPortal.Ledger;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Engine;

public sealed class LedgerEngineTests
{
    [Fact]
    public async Task FullFlow_CommitsEveryTypeAndVerifies()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility(NodeKind.Laboratory, "North Lab");
        var clinic = await kit.ApprovedFacility(NodeKind.Clinic, "Lake Clinic");
        var patient = await kit.Patient("MPI-0001");
        var anchor = await kit.MustCommit(kit.Tx.RecordAnchor("MPI-0001", lab.Id, "lab-1", "lab", "2026-11-24", LedgerKit.Hash("r1"), "Observation/lab-1").SignWith(lab).SignWith(patient));
        Assert.True(ReceiptVerifier.Verify(anchor.Receipt!.ToJsonString()).IsValid);

        var now = kit.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var grant = await kit.MustCommit(kit.Tx.GrantIssue("MPI-0001", clinic.Id, ["lab"], "treatment", now - 1000, now + 86_400_000).SignWith(patient));
        await kit.MustCommit(kit.Tx.AccessLog(clinic.Id, "staff-1", "MPI-0001", [$"{lab.Id}/lab-1"], grant.Receipt!.TransactionId, null, "treatment").SignWith(clinic));
        await kit.MustCommit(kit.Tx.GrantRevoke("MPI-0001", grant.Receipt.TransactionId).SignWith(patient));
        var refused = await kit.Submit(kit.Tx.AccessLog(clinic.Id, "staff-1", "MPI-0001", [$"{lab.Id}/lab-1"], grant.Receipt.TransactionId, null, "treatment").SignWith(clinic));
        Assert.Equal(LedgerError.GrantNotActive, refused.Error);

        var second = LedgerKeyPair_Create();
        await kit.MustCommit(kit.Tx.KeyAdd("MPI-0001", second.PublicJwk).SignWith(patient).SignWith(second));
        await kit.MustCommit(kit.Tx.KeyRevoke("MPI-0001", patient.Id).SignWith(second));
        var revokedSigns = await kit.Submit(kit.Tx.GrantIssue("MPI-0001", clinic.Id, ["all"], Purposes.Insurance, now, now + 1000_000).SignWith(patient));
        Assert.Equal(LedgerError.RevokedKey, revokedSigns.Error);

        var recovered = LedgerKeyPair_Create();
        await kit.MustCommit(kit.Tx.KeyRecover("MPI-0001", recovered.PublicJwk, clinic.Id).SignWith(clinic).SignWith(kit.Admin));
        await kit.MustCommit(kit.Tx.NodeRevoke(lab.Id, NodeDecisionReasons.LeftNetwork).SignWith(kit.Admin));

        var report = kit.Engine.Verify();
        Assert.True(report.IsValid, report.ToLine());
        await kit.Restart();
        Assert.True(kit.Engine.Verify().IsValid);
        Assert.NotNull(kit.Engine.GetReceipt(anchor.Receipt.TransactionId));
    }

    private static HealthPortal.Ledger.Crypto.LedgerKeyPair LedgerKeyPair_Create() => HealthPortal.Ledger.Crypto.LedgerKeyPair.Create();
}

public sealed class HistoryProofTests
{
    [Fact]
    public async Task HistoryConsistencyProof_LinksEarlierHeaderToLaterOne()
    {
        await using var kit = new LedgerKit();
        for (var i = 0; i < 5; i++) await kit.Patient($"MPI-10{i}");
        var head = kit.Engine.Height;
        for (long older = 1; older <= head; older++)
        {
            var oldHeader = kit.Engine.Store.ReadBlock(older)!.Header;
            var newHeader = kit.Engine.Store.ReadBlock(head)!.Header;
            var proof = kit.Engine.HistoryConsistencyProof(older, head);
            var result = HealthPortal.Ledger.Merkle.MerkleVerifier.VerifyConsistency(older, head, proof, oldHeader.History, newHeader.History);
            Assert.True(result.IsValid, $"{older}->{head}: {result.Message}");
        }
    }

    [Fact]
    public async Task HistoryConsistencyProof_FailsAgainstAForeignRoot()
    {
        await using var kit = new LedgerKit();
        for (var i = 0; i < 4; i++) await kit.Patient($"MPI-20{i}");
        var proof = kit.Engine.HistoryConsistencyProof(2, kit.Engine.Height);
        var wrongOld = System.Security.Cryptography.SHA256.HashData([1, 2, 3]);
        var newRoot = kit.Engine.Store.ReadBlock(kit.Engine.Height)!.Header.History;
        Assert.False(HealthPortal.Ledger.Merkle.MerkleVerifier.VerifyConsistency(2, kit.Engine.Height, proof, wrongOld, newRoot).IsValid);
    }
}
