using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Blocks;

/// <summary>
/// A consortium's replicas start from one genesis file (genesis JSON + block 0 as its sealer signed it), so a node
/// that is not the sealer opens the chain without the sealer's key; founders are facilities approved from height 0.
/// </summary>
public sealed class SignedGenesisTests
{
    private static Genesis NewGenesis(LedgerKeyPair admin, LedgerKeyPair sealer, params LedgerKeyPair[] founders)
        => new("consortium", 1_780_000_000_000, [admin.PublicJwk], new GenesisNode(sealer.PublicJwk, NodeKind.Hospital, "Riverside", "https://a.example"),
            new GenesisParameters(4, 6, 365, 300_000),
            Founders: founders.Length == 0 ? null : [.. founders.Select((f, i) => new GenesisNode(f.PublicJwk, NodeKind.Clinic, $"Founder {i}", $"https://f{i}.example"))]);

    private static string TempDb() => Path.Combine(Directory.CreateTempSubdirectory("hp-genesis-").FullName, "ledger.db");

    [Fact]
    public void WithoutFounders_TheJsonHasNoFoundersField_SoExistingGenesisHashesStay()
    {
        var admin = LedgerKeyPair.Create();
        var sealer = LedgerKeyPair.Create();
        var plain = NewGenesis(admin, sealer);
        var emptyList = plain with { Founders = [] };

        Assert.False(plain.ToJson().ContainsKey("founders"));
        Assert.Equal(plain.Hash(), emptyList.Hash());
        var withFounder = NewGenesis(admin, sealer, LedgerKeyPair.Create());
        Assert.True(withFounder.ToJson().ContainsKey("founders"));
        Assert.NotEqual(plain.Hash(), withFounder.Hash());
        var back = Genesis.FromJson(JsonNode.Parse(withFounder.ToJson().ToJsonString())).ValueOrThrow();
        Assert.Equal(withFounder.Hash(), back.Hash());
        Assert.Single(back.Founders!);
    }

    [Fact]
    public void AFounderListedTwice_OrAsTheSealer_IsRefused()
    {
        var admin = LedgerKeyPair.Create();
        var sealer = LedgerKeyPair.Create();
        Assert.False(NewGenesis(admin, sealer, sealer).Check().IsValid);
        var f = LedgerKeyPair.Create();
        Assert.False(NewGenesis(admin, sealer, f, f).Check().IsValid);
    }

    [Fact]
    public async Task AReplica_OpensFromTheGenesisFile_WithoutTheSealersKey_WithTheIdenticalBlock0_AndAppliesTheChain()
    {
        await using var kit = new LedgerKit();
        var lab = await kit.ApprovedFacility();
        await kit.MustCommit(kit.Anchor(lab, await kit.Patient("MPI-0001"), "MPI-0001", "r-1"));
        var file = SignedGenesis.FromJson(JsonNode.Parse(kit.Engine.GenesisFile().ToJson().ToJsonString())).ValueOrThrow();
        var nodeKey = LedgerKeyPair.Create();

        var path = TempDb();
        await using (var replica = LedgerEngine.OpenReplica(new LedgerOptions { DatabasePath = path }, file, nodeKey))
        {
            Assert.Equal(kit.Engine.Reader.Block(0)!.Hash, replica.Reader.Block(0)!.Hash);
            for (var h = 1L; h <= kit.Engine.Height; h++) Assert.True(replica.ApplyBlock(kit.Engine.SealedBlockBytes(h)).IsApplied);
            Assert.Equal(kit.Engine.Reader.Head().Hash, replica.Reader.Head().Hash);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var report = ChainVerifier.VerifyFull(path);
        Assert.True(report.IsValid, report.ToLine());
    }

    [Fact]
    public void AForgedBlock0Signature_OrAnotherGenesis_IsRefusedBeforeAnythingIsWritten()
    {
        var admin = LedgerKeyPair.Create();
        var sealer = LedgerKeyPair.Create();
        var signed = SignedGenesis.Seal(NewGenesis(admin, sealer), sealer);
        var forged = signed with { Signature = LedgerKeyPair.Create().Sign(signed.HeaderBytes) };
        var otherGenesis = signed with { Genesis = signed.Genesis with { ChainId = "other" } };

        Assert.Null(signed.Problem());
        Assert.Contains("signature", forged.Problem());
        Assert.NotNull(otherGenesis.Problem());
        Assert.Throws<InvalidOperationException>(() => LedgerEngine.OpenReplica(new LedgerOptions { DatabasePath = TempDb() }, forged, LedgerKeyPair.Create()));
        Assert.False(SignedGenesis.FromJson(JsonNode.Parse(forged.ToJson().ToJsonString())).IsSuccess);
    }

    [Fact]
    public async Task AFounder_IsApprovedFromHeight0_SealsBlocks_AndTheChainVerifies()
    {
        var admin = LedgerKeyPair.Create();
        var sealer = LedgerKeyPair.Create();
        var founder = LedgerKeyPair.Create();
        var signed = SignedGenesis.Seal(NewGenesis(admin, sealer, founder) with { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, sealer);
        var path = TempDb();

        await using (var node = LedgerEngine.OpenReplica(new LedgerOptions { DatabasePath = path }, signed, founder))
        {
            Assert.Equal(NodeStatus.Approved, node.Reader.Node(founder.Id)!.Status);
            var patient = LedgerKeyPair.Create();
            var tx = new HealthPortal.Ledger.Transactions.TransactionFactory(TimeProvider.System)
                .PatientRegister(patient.PublicJwk, "MPI-0001", LedgerKit.Hash("p"), 4).SignWith(patient);
            var result = await node.SubmitAsync(tx).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(result.IsCommitted, result.ToString());
            Assert.Equal(founder.Id, node.Reader.Block(1)!.Header.Proposer);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var report = ChainVerifier.VerifyFull(path);
        Assert.True(report.IsValid, report.ToLine());
    }
}
