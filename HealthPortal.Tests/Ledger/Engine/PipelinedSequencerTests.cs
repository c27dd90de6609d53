using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Engine;

/// <summary>
/// The sequencer applies the rules to block N+1 while block N is still being committed. One transaction per block
/// and back-to-back submissions make a transaction's block build on the uncommitted block of the one before it.
/// </summary>
public sealed class PipelinedSequencerTests
{
    private static SequencerOptions OnePerBlock => new() { MaxBlockTransactions = 1, BlockInterval = TimeSpan.FromMilliseconds(1) };

    [Fact]
    public async Task DependentTransactionsInConsecutiveBlocks_SeeTheUncommittedState()
    {
        await using var kit = new LedgerKit(sequencer: OnePerBlock);
        var lab = await kit.ApprovedFacility();
        for (var n = 0; n < 10; n++)
        {
            var mpi = $"MPI-{n:D4}";
            var patient = LedgerKeyPair.Create();
            var second = LedgerKeyPair.Create();
            // Submitted back to back, without waiting: each lands in the block after the one before it.
            var register = kit.Submit(kit.Tx.PatientRegister(patient.PublicJwk, mpi, LedgerKit.Hash(mpi), kit.Genesis.Parameters.PatientPowBits).SignWith(patient));
            var anchor = kit.Submit(kit.Tx.RecordAnchor(mpi, lab.Id, $"r-{n}", "lab", "2026-01-02", LedgerKit.Hash($"r-{n}"), $"Observation/r-{n}").SignWith(lab).SignWith(patient));
            var again = kit.Submit(kit.Tx.RecordAnchor(mpi, lab.Id, $"r-{n}", "lab", "2026-01-02", LedgerKit.Hash("other"), $"Observation/r-{n}").SignWith(lab).SignWith(patient));
            var add = kit.Submit(kit.Tx.KeyAdd(mpi, second.PublicJwk).SignWith(patient).SignWith(second));
            var revoke = kit.Submit(kit.Tx.KeyRevoke(mpi, patient.Id).SignWith(second));
            var revokedSigns = kit.Submit(kit.Tx.RecordAnchor(mpi, lab.Id, $"s-{n}", "lab", "2026-01-02", LedgerKit.Hash($"s-{n}"), $"Observation/s-{n}").SignWith(lab).SignWith(patient));
            var lastKey = kit.Submit(kit.Tx.KeyRevoke(mpi, second.Id).SignWith(second));

            Assert.True((await register).IsCommitted);
            Assert.True((await anchor).IsCommitted, (await anchor).ToString());
            Assert.Equal(LedgerError.DuplicateRecord, (await again).Error);
            Assert.True((await add).IsCommitted, (await add).ToString());
            Assert.True((await revoke).IsCommitted, (await revoke).ToString());
            Assert.Equal(LedgerError.RevokedKey, (await revokedSigns).Error);
            Assert.Equal(LedgerError.LastKey, (await lastKey).Error);
        }

        var report = kit.Engine.Verify();
        Assert.True(report.IsValid, report.ToLine());
        var height = kit.Engine.Height;
        await kit.Restart();
        Assert.Equal(height, kit.Engine.Height);
        Assert.True(kit.Engine.Verify().IsValid);
    }

    [Fact]
    public async Task TheSameTransactionTwiceBackToBack_CommitsOnce()
    {
        await using var kit = new LedgerKit(sequencer: OnePerBlock);
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient("MPI-0001");
        for (var n = 0; n < 10; n++)
        {
            var tx = kit.Tx.RecordAnchor("MPI-0001", lab.Id, $"r-{n}", "lab", "2026-01-02", LedgerKit.Hash($"r-{n}"), $"Observation/r-{n}").SignWith(lab).SignWith(patient);
            var first = kit.Submit(tx);
            var second = kit.Submit(tx);
            Assert.True((await first).IsCommitted);
            Assert.Equal(LedgerError.DuplicateTransaction, (await second).Error);
        }
        Assert.True(kit.Engine.Verify().IsValid);
    }

    [Fact]
    public async Task ARecordAnchoredBeforeARestart_IsStillADuplicateAfterIt()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var patient = await kit.Patient("MPI-0001");
        await kit.MustCommit(kit.Tx.RecordAnchor("MPI-0001", lab.Id, "r-1", "lab", "2026-01-02", LedgerKit.Hash("a"), "Observation/r-1").SignWith(lab).SignWith(patient));
        await kit.Restart();
        var again = await kit.Submit(kit.Tx.RecordAnchor("MPI-0001", lab.Id, "r-1", "lab", "2026-01-02", LedgerKit.Hash("b"), "Observation/r-1").SignWith(lab).SignWith(patient));
        Assert.Equal(LedgerError.DuplicateRecord, again.Error);
        Assert.True((await kit.Submit(kit.Tx.RecordAnchor("MPI-0001", lab.Id, "r-2", "lab", "2026-01-02", LedgerKit.Hash("c"), "Observation/r-2").SignWith(lab).SignWith(patient))).IsCommitted);
    }

    [Fact]
    public async Task ManyConcurrentSubmitters_ProduceAChainThatVerifies()
    {
        await using var kit = new LedgerKit(sequencer: new SequencerOptions { MaxBlockTransactions = 7, BlockInterval = TimeSpan.FromMilliseconds(1) });
        var lab = await kit.ApprovedFacility();
        var patients = new List<LedgerKeyPair>();
        for (var p = 0; p < 5; p++) patients.Add(await kit.Patient($"MPI-{p:D4}"));
        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(n => Task.Run(() => kit.Submit(
            kit.Tx.RecordAnchor($"MPI-{n % 5:D4}", lab.Id, $"r-{n % 250}", "lab", "2026-01-02", LedgerKit.Hash($"r-{n}"), $"Observation/r-{n % 250}")
                .SignWith(lab).SignWith(patients[n % 5])))));
        Assert.Equal(250, results.Count(r => r.IsCommitted));
        Assert.All(results.Where(r => !r.IsCommitted), r => Assert.Equal(LedgerError.DuplicateRecord, r.Error));
        var report = kit.Engine.Verify();
        Assert.True(report.IsValid, report.ToLine());
    }

    [Fact]
    public async Task RecordsOf_ListsAPatientsRecordsInLedgerOrder_BeforeAndAfterARestart()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        var a = await kit.Patient("MPI-000A");
        var b = await kit.Patient("MPI-000B");
        var anchors = new List<Task<HealthPortal.Ledger.Ordering.SubmitResult>>();
        for (var n = 0; n < 12; n++)
        {
            var (mpi, key) = n % 3 == 0 ? ("MPI-000B", b) : ("MPI-000A", a);
            anchors.Add(kit.Submit(kit.Tx.RecordAnchor(mpi, lab.Id, $"r-{n:D2}", "lab", "2026-01-02", LedgerKit.Hash($"r-{n}"), $"Observation/r-{n:D2}").SignWith(lab).SignWith(key)));
            if (n % 4 == 3) await Task.WhenAll(anchors); // several blocks
        }
        Assert.All(await Task.WhenAll(anchors), r => Assert.True(r.IsCommitted));

        void Check()
        {
            var ofA = kit.Engine.Store.RecordsOf("MPI-000A");
            var ofB = kit.Engine.Store.RecordsOf("MPI-000B");
            Assert.Equal(8, ofA.Count);
            Assert.Equal(4, ofB.Count);
            Assert.All(ofA, r => Assert.Equal("MPI-000A", r.Mpi));
            Assert.All(ofB, r => Assert.Equal("MPI-000B", r.Mpi));
            foreach (var list in new[] { ofA, ofB })
                Assert.Equal(list.OrderBy(r => r.Height).ThenBy(r => r.Index).Select(r => r.RecordId), list.Select(r => r.RecordId));
            Assert.Empty(kit.Engine.Store.RecordsOf("MPI-NONE"));
            Assert.Equal(kit.Engine.Store.DumpTable("records").Count, ofA.Count + ofB.Count);
        }
        Check();
        await kit.Restart();
        Check();
        Assert.True(kit.Engine.Verify().IsValid);
    }

    [Theory]
    [InlineData("plain-kid")]
    [InlineData("quote\" back\\slash <tag> & 'apos' +plus")]
    [InlineData("ünïcödé ✓ 𝄞 \u0001 control")]
    public void EncodeSignatures_MatchesTheJsonArraySerialization(string kid)
    {
        var signatures = new List<TxSignature> { new(kid, new byte[64]), new("k2", Enumerable.Range(0, 64).Select(i => (byte)(i * 7)).ToArray()) };
        var expected = new JsonArray();
        foreach (var s in signatures) expected.Add(new JsonObject { ["kid"] = s.Kid, ["sig"] = Base64Url.Encode(s.Signature) });
        Assert.Equal(expected.ToJsonString(), StoredTransaction.EncodeSignatures(signatures));
    }
}
